import NeuralNetwork
import XCTest
@testable import DataParallel

final class PlanTests: XCTestCase {
    func testPlan_ShardsPartitionTheSamples_WithSizesWithinOne() {
        let plan = Plan(settings: TrainingSettings(batch: 96, microBatch: 32), sampleCount: 1000)
        XCTAssertEqual(plan.shardCount, 3)
        XCTAssertEqual(plan.shards.flatMap { $0 }.sorted(), Array(0..<1000))
        let sizes = plan.shards.map(\.count)
        XCTAssertLessThanOrEqual(sizes.max()! - sizes.min()!, 1)
        XCTAssertEqual(plan.stepsPerEpoch, 11) // ⌈334 / 32⌉: the last step is partial
    }

    /// The closed form of the step counts (used on checkpoints' settings before a plan exists)
    /// agrees with the shards a plan cuts.
    func testStepCounts_AgreeWithThePlansShards() {
        for (batch, micro) in [(64, 32), (96, 32), (7, 1), (100, 10)] {
            for samples in [0, 1, 5, 63, 64, 65, 999, 1000] {
                let settings = TrainingSettings(epochs: 3, batch: batch, microBatch: micro)
                let plan = Plan(settings: settings, sampleCount: samples)
                let steps = ShardSchedule.steps(shardSize: plan.shards.map(\.count).max() ?? 0, microBatch: micro)
                XCTAssertEqual(Plan.stepCounts(settings: settings, sampleCount: samples)?.perEpoch, steps, "\(batch)/\(micro), \(samples) samples")
                XCTAssertEqual(plan.totalSteps, 3 * steps)
            }
        }
    }

    func testStepCounts_OverflowingEpochs_AreNil() {
        XCTAssertNil(Plan.stepCounts(settings: TrainingSettings(epochs: 100_000_000_000_000_000), sampleCount: 60_000))
        XCTAssertNil(Plan.stepCounts(settings: TrainingSettings(epochs: 2, batch: 1, microBatch: 1), sampleCount: Int.max))
        XCTAssertEqual(Plan.stepCounts(settings: TrainingSettings(epochs: 100_000), sampleCount: 60_000)?.total, 93_800_000)
    }

    func testPlan_DependsOnSeed() {
        let a = Plan(settings: TrainingSettings(seed: 1), sampleCount: 100)
        let b = Plan(settings: TrainingSettings(seed: 2), sampleCount: 100)
        XCTAssertEqual(a, Plan(settings: TrainingSettings(seed: 1), sampleCount: 100))
        XCTAssertNotEqual(a.shards, b.shards)
    }

    func testSchedule_EveryEpochVisitsEverySampleOnce_InANewOrder() {
        let size = 70, micro = 32
        let steps = ShardSchedule.steps(shardSize: size, microBatch: micro)
        XCTAssertEqual(steps, 3)
        var orders: [[Int]] = []
        for epoch in 0..<2 {
            let order = ShardSchedule.order(seed: 5, epoch: epoch, shard: 1, size: size)
            var seen: [Int] = []
            for t in 0..<steps { seen += ShardSchedule.microBatch(step: t, microBatch: micro, size: size).map { order[$0] } }
            XCTAssertEqual(seen.sorted(), Array(0..<size))
            orders.append(order)
        }
        XCTAssertNotEqual(orders[0], orders[1])
        XCTAssertNotEqual(ShardSchedule.order(seed: 5, epoch: 0, shard: 1, size: size), ShardSchedule.order(seed: 5, epoch: 0, shard: 2, size: size))
    }

    func testBlocks_CoverAllShards_AndLeaveExtraWorkersIdle() {
        for workers in 1...6 {
            let blocks = (0..<workers).map { Plan.block(worker: $0, of: workers, shards: 4) }
            XCTAssertEqual(blocks.flatMap { Array($0) }, Array(0..<4))
            if workers > 4 { XCTAssertEqual(blocks.filter(\.isEmpty).count, workers - 4) }
        }
    }

    func testSettings_ProblemsNameTheFlag() {
        XCTAssertTrue(TrainingSettings(batch: 100, microBatch: 32).problems.first!.contains("--batch (100) must be a multiple of --micro-batch (32)"))
        XCTAssertTrue(TrainingSettings(learningRate: -1).problems.contains { $0.contains("--lr") })
        XCTAssertTrue(TrainingSettings(epochs: 0).problems.contains { $0.contains("--epochs") })
        XCTAssertEqual(TrainingSettings().problems, [])
    }
}
