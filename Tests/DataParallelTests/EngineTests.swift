import Datasets
import NeuralNetwork
import XCTest
@testable import DataParallel

final class EngineTests: XCTestCase {
    /// 1, 2 and 3 threads compute the same micro-batches and reduce them in the same tree, so
    /// the weights must be identical bit for bit (compared by bit pattern on purpose).
    func testTrain_OneTwoThreeThreads_GiveBitIdenticalWeights() throws {
        let images = syntheticImages(count: 1000, seed: 3)
        // 1000 samples in 3 shards of 333–334: unequal shards and a partial last step.
        let settings = TrainingSettings(hidden: [16], epochs: 2, batch: 96, microBatch: 32, learningRate: 0.1, optimizer: .momentum, seed: 11)
        let one = try trainLocally(settings, images: images, threads: 1)
        XCTAssertBitwiseEqual(try trainLocally(settings, images: images, threads: 2), one, "2 threads")
        XCTAssertBitwiseEqual(try trainLocally(settings, images: images, threads: 3), one, "3 threads")
        XCTAssertBitwiseEqual(try trainLocally(settings, images: images, threads: 5), one, "5 threads, 2 idle")
        var other = settings
        other.seed = 12
        XCTAssertNotEqual(try trainLocally(other, images: images, threads: 1), one, "a different seed must give other weights")
    }

    func testTrain_SyntheticImages_Learns() throws {
        let images = syntheticImages(count: 2000, seed: 4)
        let test = syntheticImages(count: 500, seed: 5)
        let settings = TrainingSettings(hidden: [16], epochs: 3, batch: 64, microBatch: 32, learningRate: 0.1, optimizer: .sgd, seed: 1)
        let parameters = try trainLocally(settings, images: images, threads: 2)
        let network = Network(architecture: settings.architecture(inputs: 64, classes: 4), parameters: parameters)
        XCTAssertGreaterThan(Evaluation(network: network, images: test).accuracy, 0.95)
    }

    func testTrainer_DivergingLearningRate_ThrowsAClearError() throws {
        let images = syntheticImages(count: 200, seed: 4)
        let settings = TrainingSettings(hidden: [16], epochs: 5, batch: 32, microBatch: 32, learningRate: 1e30, optimizer: .sgd, seed: 1)
        XCTAssertThrowsError(try trainLocally(settings, images: images, threads: 1)) { error in
            XCTAssertTrue("\(error)".contains("diverged"), "\(error)")
        }
    }
}
