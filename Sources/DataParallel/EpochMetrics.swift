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

/// Appends JSON lines to a file, one per epoch (or evaluation), written as they come so that a
/// crash loses nothing. A line that cannot be written (a full disk) is reported once through
/// `onWriteError`; training goes on, and later lines are still tried.
public final class MetricsWriter {
    public let path: String
    /// What the file is, for messages: "metrics file", "evaluation log".
    public let label: String
    private let file: AppendingFile
    private let onWriteError: (String) -> Void
    private var failed = false

    public init(path: String, label: String = "metrics file", append: Bool = false,
                onWriteError: @escaping (String) -> Void) throws {
        self.path = path
        self.label = label
        self.onWriteError = onWriteError
        do {
            file = try AppendingFile(path: path, keepingContents: append)
        } catch let error as FileError {
            throw TrainingError("cannot open the \(label) \(path) for writing: \(error.reason)")
        }
    }

    public func write(_ metrics: EpochMetrics) { write(line: metrics.jsonLine) }

    public func write(_ evaluation: StepEvaluation) { write(line: evaluation.jsonLine) }

    private func write(line: String) {
        do {
            try file.write(Array((line + "\n").utf8))
        } catch {
            guard !failed else { return }
            failed = true
            let reason = (error as? FileError)?.reason ?? "\(error)"
            onWriteError("warning: cannot write to the \(label) \(path): \(reason); training goes on, and its lines may be missing")
        }
    }
}
