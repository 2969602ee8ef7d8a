import Dispatch
import Datasets
import NeuralNetwork

/// A worker's shards computed on several threads. A tree node is split into its children
/// until there is a part for every thread; the parts are computed in parallel and put back
/// together by the same tree. Since a node's sum is by definition the tree sum of its
/// children, the bits do not depend on the thread count.
public final class ParallelShardWorker {
    let engines: [ShardWorker]
    public var architecture: Architecture { engines[0].architecture }
    public var tree: ReductionTree { engines[0].tree }
    public var shards: [Int: [Int]] { engines[0].shards }

    public init(threads: Int, architecture: Architecture, settings: TrainingSettings, shardCount: Int,
                images: ImageSet, shards: [Int: [Int]]) {
        precondition(threads >= 1, "a worker needs at least one thread")
        engines = (0..<threads).map { _ in
            ShardWorker(architecture: architecture, settings: settings, shardCount: shardCount, images: images, shards: shards)
        }
    }

    /// The last `compute`'s spans: one per node on one thread; the whole order (node nil)
    /// when threads share it.
    public private(set) var spans: [(node: TreeNode?, start: Double, end: Double)] = []

    public func hold(images: ImageSet, shards: [Int: [Int]]) {
        for engine in engines { engine.hold(images: images, shards: shards) }
    }

    /// The sums of `nodes`, as `ShardWorker.compute` gives them.
    public func compute(_ nodes: [TreeNode], at position: StepPosition, parameters: UnsafePointer<Float>) -> [(TreeNode, GradientSum)] {
        if engines.count == 1 {
            let sums = engines[0].compute(nodes, at: position, parameters: parameters)
            spans = engines[0].spans.map { ($0.node, $0.start, $0.end) }
            return sums
        }
        let start = Clock.now()
        defer { spans = [(nil, start, Clock.now())] }
        var parts = nodes
        while parts.count < engines.count,
              let i = parts.indices.filter({ parts[$0].size > 1 }).max(by: { parts[$0].size < parts[$1].size }) {
            let node = parts.remove(at: i)
            let half = node.size / 2
            let children = [TreeNode(first: node.first, size: half), TreeNode(first: node.first + half, size: half)]
            parts.insert(contentsOf: children.filter { $0.first < tree.shardCount }, at: i)
        }
        var results = [[(TreeNode, GradientSum)]](repeating: [], count: engines.count)
        let shared = Unchecked(value: (engines, parts, parameters))
        results.withUnsafeMutableBufferPointer { out in
            let output = Unchecked(value: out)
            DispatchQueue.concurrentPerform(iterations: engines.count) { t in
                let (engines, parts, parameters) = shared.value
                let mine = stride(from: t, to: parts.count, by: engines.count).map { parts[$0] }
                output.value[t] = engines[t].compute(mine, at: position, parameters: parameters)
            }
        }
        var known: [TreeNode: GradientSum] = [:]
        for list in results { for (node, sum) in list { known[node] = sum } }
        return nodes.map { node in
            (node, tree.reduce(node, known: known) { _ in nil } ?? GradientSum(values: [], statistics: BatchStatistics()))
        }
    }
}
