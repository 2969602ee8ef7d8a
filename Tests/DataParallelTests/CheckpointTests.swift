import Datasets
import Foundation
import NeuralNetwork
import XCTest
@testable import DataParallel

final class CheckpointTests: XCTestCase {
    let settings = TrainingSettings(hidden: [8], epochs: 2, batch: 64, microBatch: 32, learningRate: 0.01, optimizer: .adam, seed: 3)

    func makeTrainer(_ images: ImageSet, network: Network? = nil, optimizer: Optimizer? = nil, nextStep: Int = 0) -> Trainer {
        let plan = Plan(settings: settings, sampleCount: images.count)
        let architecture = settings.architecture(inputs: images.featureCount, classes: images.classes)
        return Trainer(plan: plan, network: network ?? Network(architecture: architecture, seed: settings.seed), optimizer: optimizer,
                       nextStep: nextStep, executor: LocalExecutor(plan: plan, architecture: architecture, images: images, threads: 1))
    }

    /// Stopping after any step, saving, loading and continuing gives the uninterrupted run's
    /// weights bit for bit (Adam, so that the optimiser state matters).
    func testResume_FromACheckpointMidEpoch_EqualsTheUninterruptedRun() throws {
        let images = syntheticImages(count: 500, seed: 8)
        let whole = makeTrainer(images)
        while !whole.isFinished { _ = try whole.step() }

        let first = makeTrainer(images)
        for _ in 0..<5 { _ = try first.step() }
        let path = try temporaryPath()
        let history = [EpochMetrics(epoch: 1, steps: 8, trainLoss: 1, trainAccuracy: 0.5, testLoss: 1, testAccuracy: 0.5, validationAccuracy: nil,
                                    seconds: 1, samplesPerSecond: 500, computeSeconds: 1, communicationSeconds: 0, waitSeconds: 0, workers: 1)]
        try Checkpoint(model: TrainedModel(network: first.network, imageHeight: 8, imageWidth: 8), optimizer: first.optimizer,
                       settings: settings, sampleCount: images.count, nextStep: first.nextStep, history: history).write(to: path)

        let loaded = try Checkpoint(contentsOf: path)
        XCTAssertEqual(loaded.nextStep, 5)
        XCTAssertEqual(loaded.history, history)
        XCTAssertNil(loaded.mismatch(settings: settings, sampleCount: images.count))
        let second = makeTrainer(images, network: loaded.model.network, optimizer: loaded.optimizer, nextStep: loaded.nextStep)
        while !second.isFinished { _ = try second.step() }
        XCTAssertBitwiseEqual(second.network.parameters, whole.network.parameters, "resumed run")
    }

    func testMismatch_NamesEveryDifferentSetting() {
        let checkpoint = Checkpoint(model: TrainedModel(network: Network(architecture: settings.architecture(inputs: 64, classes: 4), seed: 1), imageHeight: 8, imageWidth: 8),
                                    optimizer: Optimizer(settings.optimizerConfiguration, parameterCount: 556), settings: settings,
                                    sampleCount: 500, nextStep: 0, history: [])
        var other = settings
        other.seed = 4
        other.batch = 96
        let message = checkpoint.mismatch(settings: other, sampleCount: 400) ?? ""
        XCTAssertTrue(message.contains("--seed 3 vs 4") && message.contains("--batch 64 vs 96") && message.contains("500 vs 400"), message)
    }

    func testLoad_TruncatedOrForeignFiles_AreRefusedWhole() throws {
        let images = syntheticImages(count: 100, seed: 8)
        let trainer = makeTrainer(images)
        let path = try temporaryPath()
        try Checkpoint(model: TrainedModel(network: trainer.network, imageHeight: 8, imageWidth: 8), optimizer: trainer.optimizer,
                       settings: settings, sampleCount: 100, nextStep: 0, history: []).write(to: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for cut in [4, 100, bytes.count / 2, bytes.count - 1] {
            try bytes.prefix(cut).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try Checkpoint(contentsOf: path), "cut at \(cut)") { XCTAssertTrue($0 is SafeTensorsError, "\($0)") }
        }
        try TrainedModel(network: trainer.network, imageHeight: 8, imageWidth: 8).write(to: path)
        XCTAssertThrowsError(try Checkpoint(contentsOf: path)) { XCTAssertTrue("\($0)".contains("not a digits checkpoint"), "\($0)") }
    }

    /// A checkpoint of a fresh run on 100 samples, after `edit`, written to a new path.
    func writtenCheckpoint(nextStep: Int = 2, edit: (inout Checkpoint) -> Void = { _ in }) throws -> String {
        let trainer = makeTrainer(syntheticImages(count: 100, seed: 8))
        var checkpoint = Checkpoint(model: TrainedModel(network: trainer.network, imageHeight: 8, imageWidth: 8),
                                    optimizer: trainer.optimizer, settings: settings, sampleCount: 100, nextStep: nextStep, history: [])
        edit(&checkpoint)
        let path = try temporaryPath()
        try checkpoint.write(to: path)
        return path
    }

    /// Asserts that loading `path` is refused with a `SafeTensorsError` naming it, for a reason
    /// that mentions every fragment.
    func assertRefused(_ path: String, mentioning fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Checkpoint(contentsOf: path), file: file, line: line) { error in
            XCTAssertEqual((error as? SafeTensorsError)?.source, path, "\(error)", file: file, line: line)
            for fragment in fragments {
                XCTAssertTrue("\(error)".contains(fragment), "\(error)", file: file, line: line)
            }
        }
    }

    func testLoad_OneFlippedBitInTheTensors_IsRefusedNamingTheChecksum() throws {
        let path = try writtenCheckpoint()
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - 3] ^= 0x10  // a bit of the last optimiser value: still a finite float
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        assertRefused(path, mentioning: ["SHA-256", "tensor"])
    }

    func testLoad_EditedPosition_IsRefusedNamingTheChecksum() throws {
        let path = try writtenCheckpoint(nextStep: 2)
        let text = try XCTUnwrap(String(data: try Data(contentsOf: URL(fileURLWithPath: path)), encoding: .isoLatin1))
        XCTAssertTrue(text.contains(#""next_step":"2""#))
        try XCTUnwrap(text.replacingOccurrences(of: #""next_step":"2""#, with: #""next_step":"3""#).data(using: .isoLatin1))
            .write(to: URL(fileURLWithPath: path))
        assertRefused(path, mentioning: ["SHA-256", "metadata"])
    }

    func testLoad_NaNWeight_IsRefusedNamingTheTensor() throws {
        let path = try writtenCheckpoint { $0.model.network.parameters[3] = .nan }
        assertRefused(path, mentioning: ["layers.0.weight", "not finite"])
    }

    func testLoad_InfiniteOptimizerState_IsRefusedNamingTheTensor() throws {
        let path = try writtenCheckpoint { $0.optimizer.secondMoment[7] = .infinity }
        assertRefused(path, mentioning: ["optimizer.second_moment", "not finite"])
    }

    func testLoad_NextStepBeyondThePlan_IsRefused() throws {
        // 100 samples in 2 shards of micro-batch 32: 2 steps an epoch, 4 in the 2 epochs.
        XCTAssertNoThrow(try Checkpoint(contentsOf: try writtenCheckpoint(nextStep: 4)), "the end of the plan is a position")
        assertRefused(try writtenCheckpoint(nextStep: 5), mentioning: ["next_step 5", "4 steps"])
        assertRefused(try writtenCheckpoint(nextStep: 1 << 62), mentioning: ["next_step"])
    }

    func testLoad_MoreUpdatesThanSteps_IsRefused() throws {
        assertRefused(try writtenCheckpoint(nextStep: 2) { $0.optimizer.step = 3 }, mentioning: ["optimizer_step 3", "next_step 2"])
    }

    func temporaryPath() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("digits-ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("run.checkpoint").path
    }
}
