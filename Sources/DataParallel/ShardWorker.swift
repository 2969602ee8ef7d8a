import Datasets
import NeuralNetwork

/// The shards one worker holds, and the computation of their micro-batch gradients.
///
/// The same code runs in a worker process, in a thread of `digits train`, and wherever a
/// shard moves after a failure: one gradient sum per micro-batch, on one BLAS thread, with
/// the same shapes, so a micro-batch's gradient has the same bits wherever it is computed.
public final class ShardWorker {
    public let architecture: Architecture
    public let settings: TrainingSettings
    public let tree: ReductionTree
    /// The samples this worker holds (all of them in-process; only its shards' in a worker).
    public private(set) var images: ImageSet
    /// For each held shard index, the positions in `images` of its samples, in plan order.
    public private(set) var shards: [Int: [Int]]

    private let workspace: Workspace
    private let input: UnsafeMutablePointer<Float>
    private let targets: UnsafeMutablePointer<Float>
    private let augmentation: Augmentation.Workspace?
    private var leaves: [Int: GradientSum] = [:]
    private var orderCache: (epoch: Int, orders: [Int: [Int]]) = (-1, [:])
    /// Keeps the cache-warming loads of `InputEncoding.fill` from being optimised away.
    private var warmed: UInt8 = 0

    public init(architecture: Architecture, settings: TrainingSettings, shardCount: Int,
                images: ImageSet, shards: [Int: [Int]]) {
        self.architecture = architecture
        self.settings = settings
        self.tree = ReductionTree(shardCount: shardCount)
        self.images = images
        self.shards = shards
        workspace = Workspace(architecture: architecture, capacity: settings.microBatch)
        input = .allocate(capacity: settings.microBatch * architecture.inputs)
        targets = .allocate(capacity: settings.microBatch * architecture.outputs)
        augmentation = settings.augmentation.isNone ? nil : Augmentation.Workspace(height: images.height, width: images.width)
    }

    deinit {
        input.deallocate()
        targets.deallocate()
    }

    /// Replaces the held shards (when shards move between workers).
    public func hold(images: ImageSet, shards: [Int: [Int]]) {
        self.images = images
        self.shards = shards
        orderCache = (-1, [:])
        leaves = leaves.filter { shards[$0.key] != nil }
    }

    /// Computes the gradient sums of the given tree nodes for one step. Every shard under
    /// each node must be held. Nodes whose micro-batches are all empty come back with a
    /// count of zero.
    public func compute(_ nodes: [TreeNode], at position: StepPosition, parameters: UnsafePointer<Float>) -> [(TreeNode, GradientSum)] {
        if orderCache.epoch != position.epoch { orderCache = (position.epoch, [:]) }
        spans.removeAll(keepingCapacity: true)
        return nodes.map { node in
            let start = Clock.now()
            let sum = tree.reduce(node) { shard in
                computeLeaf(shard: shard, position: position, parameters: parameters)
            }
            spans.append((node, start, Clock.now()))
            return (node, sum ?? GradientSum(values: [], statistics: BatchStatistics()))
        }
    }

    /// When each node of the last `compute` began and ended (Clock seconds), for the timeline.
    public private(set) var spans: [(node: TreeNode, start: Double, end: Double)] = []

    private func computeLeaf(shard: Int, position: StepPosition, parameters: UnsafePointer<Float>) -> GradientSum? {
        guard let members = shards[shard] else {
            preconditionFailure("shard \(shard) is not held by this worker")
        }
        let order: [Int]
        if let cached = orderCache.orders[shard] {
            order = cached
        } else {
            order = ShardSchedule.order(seed: settings.seed, epoch: position.epoch, shard: shard, size: members.count)
            orderCache.orders[shard] = order
        }
        let range = ShardSchedule.microBatch(step: position.step, microBatch: settings.microBatch, size: members.count)
        guard !range.isEmpty else { return nil }
        let augment = augmentation.map {
            Augmentation.MicroBatch(augmentation: settings.augmentation, workspace: $0, seed: settings.seed, epoch: position.epoch,
                                    shard: shard, first: range.lowerBound, height: images.height, width: images.width)
        }
        warmed &+= InputEncoding.fill(input: input, targets: targets, from: images, positions: order[range].lazy.map { members[$0] },
                                      augment: augment)
        let leaf = leaves[shard] ?? GradientSum(count: architecture.parameterCount)
        leaves[shard] = leaf
        leaf.statistics = leaf.values.withUnsafeMutableBufferPointer { g in
            architecture.gradientSum(parameters: parameters, input: input, targets: targets, rows: range.count,
                                     workspace: workspace, gradient: g.baseAddress!)
        }
        return leaf
    }
}
