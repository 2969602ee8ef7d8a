import Datasets
import Dispatch
import NeuralNetwork

/// Computes a step's gradient sums for the whole tree; the trainer reduces and updates.
/// In one process the work runs on threads; in a distributed run, on worker processes.
public protocol StepExecutor: AnyObject {
    /// The sums for a set of tree nodes that together tile all shards, for one step.
    func compute(_ position: StepPosition, parameters: [Float]) throws -> StepResult
}

/// One step's node sums, and where the time went.
public struct StepResult {
    public var sums: [TreeNode: GradientSum]
    /// Seconds spent computing gradients (the slowest worker's, for parallel work).
    public var computeSeconds: Double = 0
    /// Seconds spent moving messages (encode, send, receive, decode).
    public var communicationSeconds: Double = 0
    /// Seconds spent waiting for the slowest worker.
    public var waitSeconds: Double = 0

    public init(sums: [TreeNode: GradientSum]) { self.sums = sums }
}

/// `@unchecked Sendable` for values handed to a parallel loop whose iterations each touch
/// only their own part of them.
struct Unchecked<Value>: @unchecked Sendable {
    var value: Value
}

/// The single-process executor: `threads` in-process workers, each owning a contiguous
/// block of shards exactly as worker processes would.
public final class LocalExecutor: StepExecutor {
    public let workers: [ShardWorker]
    let blocks: [[TreeNode]]

    public init(plan: Plan, architecture: Architecture, images: ImageSet, threads: Int) {
        let count = max(1, min(threads, plan.shardCount))
        let tree = ReductionTree(shardCount: plan.shardCount)
        var workers: [ShardWorker] = []
        var blocks: [[TreeNode]] = []
        for w in 0..<count {
            let block = Plan.block(worker: w, of: count, shards: plan.shardCount)
            var shards: [Int: [Int]] = [:]
            for s in block { shards[s] = plan.shards[s] }
            workers.append(ShardWorker(architecture: architecture, settings: plan.settings,
                                       shardCount: plan.shardCount, images: images, shards: shards))
            blocks.append(tree.nodes(covering: block))
        }
        self.workers = workers
        self.blocks = blocks
    }

    public func compute(_ position: StepPosition, parameters: [Float]) throws -> StepResult {
        var results = [[(TreeNode, GradientSum)]](repeating: [], count: workers.count)
        var seconds = [Double](repeating: 0, count: workers.count)
        parameters.withUnsafeBufferPointer { p in
            let shared = Unchecked(value: (p.baseAddress!, workers, blocks))
            results.withUnsafeMutableBufferPointer { out in
                seconds.withUnsafeMutableBufferPointer { time in
                    let output = Unchecked(value: (out, time))
                    let work: @Sendable (Int) -> Void = { w in
                        let start = Clock.now()
                        let (parameters, workers, blocks) = shared.value
                        output.value.0[w] = workers[w].compute(blocks[w], at: position, parameters: parameters)
                        output.value.1[w] = Clock.now() - start
                    }
                    if workers.count == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workers.count, execute: work) }
                }
            }
        }
        var result = StepResult(sums: [:])
        for list in results { for (node, sum) in list { result.sums[node] = sum } }
        result.computeSeconds = seconds.max() ?? 0
        return result
    }
}
