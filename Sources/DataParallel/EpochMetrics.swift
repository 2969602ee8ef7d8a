import Foundation
import NeuralNetwork

/// One epoch's figures: one line of the metrics file (JSON), one point of the report's plots.
public struct EpochMetrics: Codable, Equatable, Sendable {
    public var epoch: Int
    public var steps: Int
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var testLoss: Double
    public var testAccuracy: Double
    public var validationAccuracy: Double?
    public var seconds: Double
    public var samplesPerSecond: Double
    public var computeSeconds: Double
    public var communicationSeconds: Double
    public var waitSeconds: Double
    public var workers: Int

    enum CodingKeys: String, CodingKey {
        case epoch, steps, seconds, workers
        case trainLoss = "train_loss", trainAccuracy = "train_accuracy"
        case testLoss = "test_loss", testAccuracy = "test_accuracy"
        case validationAccuracy = "validation_accuracy"
        case samplesPerSecond = "samples_per_second"
        case computeSeconds = "compute_seconds", communicationSeconds = "communication_seconds", waitSeconds = "wait_seconds"
    }

    public var jsonLine: String {
        String(decoding: try! JSONEncoder.sorted.encode(self), as: UTF8.self)
    }
}

/// A test-set evaluation between two steps (`digits train --eval-every`): one line of the
/// evaluation log, for learning curves finer than an epoch.
public struct StepEvaluation: Codable, Equatable, Sendable {
    /// Global steps done (from 1), and the epoch (from 1) of the last of them.
    public var step: Int
    public var epoch: Int
    /// Training samples seen so far (every epoch counts them all).
    public var samples: Int
    /// Training time of this run so far, in seconds, evaluations left out (as in the epochs' `seconds`).
    public var trainingSeconds: Double
    public var testAccuracy: Double
    public var testLoss: Double

    enum CodingKeys: String, CodingKey {
        case step, epoch, samples
        case trainingSeconds = "training_seconds", testAccuracy = "test_accuracy", testLoss = "test_loss"
    }

    public var jsonLine: String {
        String(decoding: try! JSONEncoder.sorted.encode(self), as: UTF8.self)
    }
}

/// Appends JSON lines to a file, one per epoch, flushed as they come so that a crash loses nothing.
public final class MetricsWriter {
    let handle: FileHandle
    public let path: String

    public init(path: String, append: Bool = false) throws {
        self.path = path
        if !append || !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw TrainingError("cannot create the metrics file \(path): check that its directory exists and is writable")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw TrainingError("cannot open the metrics file \(path) for writing")
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    public func write(_ metrics: EpochMetrics) {
        handle.write(Data((metrics.jsonLine + "\n").utf8))
    }

    public func write(_ evaluation: StepEvaluation) {
        handle.write(Data((evaluation.jsonLine + "\n").utf8))
    }

    deinit { try? handle.close() }
}
