import NeuralNetwork

/// Which samples every step uses. It depends on the seed, the sample count and the
/// micro-batch settings, never on the number of workers.
///
/// The training samples are permuted once by the seed and cut into S = batch ÷ micro-batch
/// contiguous shards whose sizes differ by at most one. In epoch e, shard s is reshuffled by
/// (seed, e, s), and step t takes the t-th micro-batch (`microBatch` samples) of every
/// shard. An epoch has ⌈largest shard ÷ micro-batch⌉ steps, so the last step of an epoch
/// can be partial, and a shard that has run out contributes nothing to it.
public struct Plan: Equatable, Sendable {
    public let settings: TrainingSettings
    public let sampleCount: Int
    /// For each shard, the positions (in the training set) of its samples.
    public let shards: [[Int]]
    public let stepsPerEpoch: Int
    public let totalSteps: Int

    public init(settings: TrainingSettings, sampleCount: Int) {
        precondition(settings.problems.isEmpty, settings.problems.joined(separator: "; "))
        self.settings = settings
        self.sampleCount = sampleCount
        var generator = SeededGenerator(seed: settings.seed, stream: 0x5AAD)
        let order = generator.permutation(sampleCount)
        let s = settings.shardCount
        shards = (0..<s).map { i in Array(order[(i * sampleCount / s)..<((i + 1) * sampleCount / s)]) }
        // The flags are checked against limits before a plan is made: an overflow here is a bug.
        guard let counts = Self.stepCounts(settings: settings, sampleCount: sampleCount) else {
            preconditionFailure("\(settings.epochs) epochs of \(sampleCount) samples overflow the step count")
        }
        (stepsPerEpoch, totalSteps) = counts
    }

    /// Steps in an epoch, ⌈⌈N ÷ S⌉ ÷ m⌉ (the largest of the S shards of N samples, in
    /// micro-batches of m), and in the plan, that × epochs; nil when the settings make no
    /// plan or the product overflows `Int`. Settings from outside (a checkpoint) come here
    /// before any plan is made of them.
    public static func stepCounts(settings: TrainingSettings, sampleCount: Int) -> (perEpoch: Int, total: Int)? {
        let s = settings.shardCount, m = settings.microBatch
        guard s > 0, m > 0, sampleCount >= 0, settings.epochs >= 0 else { return nil }
        let perEpoch = ShardSchedule.steps(shardSize: sampleCount / s + (sampleCount % s == 0 ? 0 : 1), microBatch: m)
        guard let total = [perEpoch, settings.epochs].checkedProduct() else { return nil }
        return (perEpoch, total)
    }

    public var shardCount: Int { shards.count }
    public var microBatch: Int { settings.microBatch }

    /// Global step g as (epoch, step within epoch).
    public func position(ofStep g: Int) -> StepPosition {
        StepPosition(epoch: g / max(1, stepsPerEpoch), step: g % max(1, stepsPerEpoch))
    }

    /// The contiguous block of shards worker `w` of `workers` owns; empty when there are
    /// more workers than shards.
    public static func block(worker w: Int, of workers: Int, shards: Int) -> Range<Int> {
        (w * shards / workers)..<((w + 1) * shards / workers)
    }
}

/// Where a step is: epoch e (from 0), step t within it (from 0).
public struct StepPosition: Equatable, Hashable, Sendable, Codable {
    public var epoch: Int
    public var step: Int

    public init(epoch: Int, step: Int) {
        self.epoch = epoch
        self.step = step
    }
}

/// The per-epoch order of one shard's samples, computable by whoever holds the shard.
public enum ShardSchedule {
    /// ⌈shardSize ÷ microBatch⌉, without the overflow of (shardSize + microBatch − 1) for large sizes.
    public static func steps(shardSize: Int, microBatch: Int) -> Int {
        shardSize / microBatch + (shardSize % microBatch == 0 ? 0 : 1)
    }

    /// The order in which shard `shard` (of `size` samples) is visited in `epoch`: a
    /// permutation of 0..<size drawn from (seed, epoch, shard).
    public static func order(seed: UInt64, epoch: Int, shard: Int, size: Int) -> [Int] {
        var generator = SeededGenerator(seed: seed, stream: 0xE90C, UInt64(epoch), UInt64(shard))
        return generator.permutation(size)
    }

    /// Positions within the shard's order that micro-batch `step` takes.
    public static func microBatch(step: Int, microBatch: Int, size: Int) -> Range<Int> {
        min(size, step * microBatch)..<min(size, (step + 1) * microBatch)
    }
}
