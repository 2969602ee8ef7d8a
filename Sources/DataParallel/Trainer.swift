import Datasets
import NeuralNetwork

/// What one step did.
public struct StepReport: Sendable {
    public var globalStep: Int
    public var position: StepPosition
    public var statistics: BatchStatistics
    public var computeSeconds: Double
    public var communicationSeconds: Double
    public var waitSeconds: Double
    public var workers: [WorkerStep] = []
}

/// Training that cannot go on, with a reason a user can act on.
public struct TrainingError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The one training loop: it asks an executor for the step's node sums, finishes the fixed
/// reduction tree, and applies the one update path. `digits train` runs it with a
/// `LocalExecutor`; the coordinator with its remote workers. Same loop, same bits.
public final class Trainer {
    public let plan: Plan
    public let tree: ReductionTree
    public private(set) var network: Network
    public private(set) var optimizer: Optimizer
    /// The next global step to run (0-based); a resumed run starts where it stopped.
    public private(set) var nextStep: Int
    public let executor: StepExecutor
    /// Gets a span for every update.
    public var timeline: Timeline?

    public init(plan: Plan, network: Network, optimizer: Optimizer? = nil, nextStep: Int = 0, executor: StepExecutor) {
        self.plan = plan
        self.tree = ReductionTree(shardCount: plan.shardCount)
        self.network = network
        self.optimizer = optimizer ?? Optimizer(plan.settings.optimizerConfiguration, parameterCount: network.parameters.count)
        self.nextStep = nextStep
        self.executor = executor
    }

    public var isFinished: Bool { nextStep >= plan.totalSteps }

    /// Runs one step: compute, reduce, check, update.
    public func step() throws -> StepReport {
        precondition(!isFinished, "the plan has no more steps")
        let position = plan.position(ofStep: nextStep)
        let scale = plan.settings.schedule.factor(step: nextStep, of: plan.totalSteps)
        let result = try executor.compute(StepInput(position: position, parameters: network.parameters, optimizer: optimizer,
                                                    learningRateScale: scale))
        let updateStart = Clock.now()
        guard let total = tree.reduce(tree.root, known: result.sums, leaf: { shard in
            preconditionFailure("no worker computed shard \(shard) at step \(position)")
        }) else {
            throw TrainingError("step \(nextStep) has no samples: the plan is empty")
        }
        // The loss is the cheap witness: a gradient that overflows makes the loss non-finite
        // first. Gradients from other processes are checked value by value on arrival.
        if !total.statistics.lossSum.isFinite {
            throw TrainingError("training diverged at epoch \(position.epoch + 1), step \(position.step + 1): the loss or gradient is not finite. Lower --lr (now \(plan.settings.learningRate)).")
        }
        optimizer.update(parameters: &network.parameters, gradientSum: total.values, count: total.statistics.count,
                         learningRateScale: scale)
        timeline?.span("update", category: "update", track: Timeline.coordinatorTrack, from: updateStart, to: Clock.now())
        let report = StepReport(globalStep: nextStep, position: position, statistics: total.statistics,
                                computeSeconds: result.computeSeconds + (Clock.now() - updateStart),
                                communicationSeconds: result.communicationSeconds, waitSeconds: result.waitSeconds,
                                workers: result.workers)
        nextStep += 1
        return report
    }
}
