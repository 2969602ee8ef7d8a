import NeuralNetwork

/// Everything that decides the arithmetic of a training run. Two runs with equal settings
/// (and data) produce bit-identical weights, whatever the number of workers or threads.
public struct TrainingSettings: Equatable, Codable, Sendable {
    /// Hidden layer sizes, e.g. [128] or [256, 128].
    public var hidden: [Int]
    public var epochs: Int
    /// Samples per step (the global batch).
    public var batch: Int
    /// Samples per micro-batch: the unit of work, computed as one gradient sum.
    public var microBatch: Int
    public var learningRate: Float
    public var optimizer: OptimizerKind
    public var schedule: LearningRateSchedule
    public var seed: UInt64
    /// Train on the first `limit` training samples only (nil: all).
    public var limit: Int?
    /// Samples taken (by the seed) from the training set to measure validation accuracy.
    public var validation: Int
    /// What is done to the training images (`augmentation`); nil for none, so that the
    /// settings of runs from before augmentation existed decode, and compare, as they were.
    var augment: Augmentation?

    public var augmentation: Augmentation {
        get { augment ?? .none }
        set { augment = newValue.isNone ? nil : newValue }
    }

    public init(hidden: [Int] = [128], epochs: Int = 10, batch: Int = 64, microBatch: Int = 32,
                learningRate: Float = 0.1, optimizer: OptimizerKind = .sgd, schedule: LearningRateSchedule = .constant, seed: UInt64 = 1,
                limit: Int? = nil, validation: Int = 0, augmentation: Augmentation = .none) {
        self.hidden = hidden
        self.epochs = epochs
        self.batch = batch
        self.microBatch = microBatch
        self.learningRate = learningRate
        self.optimizer = optimizer
        self.schedule = schedule
        self.seed = seed
        self.limit = limit
        self.validation = validation
        self.augmentation = augmentation
    }

    /// S, the number of shards and of micro-batches in a full step.
    public var shardCount: Int { batch / microBatch }

    /// Problems a user can fix, as sentences; empty when the settings are usable.
    public var problems: [String] {
        var p: [String] = []
        if hidden.contains(where: { $0 < 1 }) { p.append("--layers: every hidden layer needs at least 1 unit") }
        if epochs < 1 { p.append("--epochs must be at least 1") }
        if batch < 1 { p.append("--batch must be at least 1") }
        if microBatch < 1 { p.append("--micro-batch must be at least 1") }
        if batch >= 1 && microBatch >= 1 && batch % microBatch != 0 {
            p.append("--batch (\(batch)) must be a multiple of --micro-batch (\(microBatch)), e.g. --batch \(max(1, batch / microBatch) * microBatch)")
        }
        if !(learningRate > 0) || !learningRate.isFinite { p.append("--lr must be a positive number") }
        if let limit, limit < 1 { p.append("--limit must be at least 1") }
        if validation < 0 { p.append("--validation cannot be negative") }
        return p
    }

    public var optimizerConfiguration: OptimizerConfiguration {
        OptimizerConfiguration(kind: optimizer, learningRate: learningRate)
    }

    public func architecture(inputs: Int, classes: Int) -> Architecture {
        Architecture(inputs: inputs, hidden: hidden, outputs: classes)
    }
}
