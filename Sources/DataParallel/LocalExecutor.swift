import Datasets
import Dispatch
import NeuralNetwork

/// Computes a step's gradient sums for the whole tree; the trainer reduces and updates.
/// In one process the work runs on threads; in a distributed run, on worker processes.
public protocol StepExecutor: AnyObject {
    /// The sums for a set of tree nodes that together tile all shards, for one step.
    func compute(_ step: StepInput) throws -> StepResult
}

/// What a step starts from: where it is in the plan, the parameters and optimiser state
/// before it, and the schedule's factor of α for its update. An executor whose workers
/// update slices of the parameters themselves (the sliced exchange) hands them this state;
/// the trainer then applies the same update to its own copy.
public struct StepInput {
    public var position: StepPosition
    public var parameters: [Float]
    public var optimizer: Optimizer
    public var learningRateScale: Float

    public init(position: StepPosition, parameters: [Float], optimizer: Optimizer, learningRateScale: Float) {
        self.position = position
        self.parameters = parameters
        self.optimizer = optimizer
        self.learningRateScale = learningRateScale
    }
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
    /// What each worker did in the step (none in one process).
    public var workers: [WorkerStep] = []

    public init(sums: [TreeNode: GradientSum]) { self.sums = sums }
}

/// `@unchecked Sendable` for values handed to a parallel loop whose iterations each touch
/// only their own part of them.
struct Unchecked<Value>: @unchecked Sendable {
    var value: Value
}

/// The single-process executor: the engine of a worker process, holding every shard, with
/// `threads` threads. It sends itself the nodes that tile all shards, which the engine splits
/// into a part per thread; the tree puts them back together, so the bits do not depend on
/// the thread count.
public final class LocalExecutor: StepExecutor {
    let engine: ParallelShardWorker
    let nodes: [TreeNode]
    /// Threads that have work: at most one per shard.
    public let threads: Int

    public init(plan: Plan, architecture: Architecture, images: ImageSet, threads: Int) {
        self.threads = max(1, min(threads, plan.shardCount))
        var shards: [Int: [Int]] = [:]
        for (s, members) in plan.shards.enumerated() { shards[s] = members }
        engine = ParallelShardWorker(threads: self.threads, architecture: architecture, settings: plan.settings,
                                     shardCount: plan.shardCount, images: images, shards: shards)
        nodes = ReductionTree(shardCount: plan.shardCount).nodes(covering: 0..<plan.shardCount)
    }

    public func compute(_ step: StepInput) throws -> StepResult {
        let start = Clock.now()
        let sums = step.parameters.withUnsafeBufferPointer { engine.compute(nodes, at: step.position, parameters: $0.baseAddress!) }
        var result = StepResult(sums: Dictionary(uniqueKeysWithValues: sums))
        result.computeSeconds = Clock.now() - start
        return result
    }
}
