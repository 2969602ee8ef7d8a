import Foundation
import NeuralNetwork

/// One worker's part in one step, as the coordinator saw it.
public struct WorkerStep: Codable, Equatable, Sendable {
    public var name: String
    /// What the worker says it spent computing.
    public var computeSeconds: Double
    /// How long it waited within the step, by its own clock: from its order to its reply,
    /// less its compute (the sliced exchange's wait for the other owners; about 0 with the star).
    public var waitingSeconds: Double
    /// Its transport's byte counts so far (to the coordinator and its peers).
    public var bytesSent: UInt64
    public var bytesReceived: UInt64

    enum CodingKeys: String, CodingKey {
        case name
        case computeSeconds = "compute_seconds", waitingSeconds = "waiting_seconds"
        case bytesSent = "bytes_sent", bytesReceived = "bytes_received"
    }

    public init(name: String, computeSeconds: Double, waitingSeconds: Double, bytesSent: UInt64, bytesReceived: UInt64) {
        self.name = name
        self.computeSeconds = computeSeconds
        self.waitingSeconds = waitingSeconds
        self.bytesSent = bytesSent
        self.bytesReceived = bytesReceived
    }
}

/// One worker's epoch: its compute time per step (median and 95th percentile), how long it
/// waited for the others in all, and the bytes it sent and received. A straggler computes
/// longest and waits least.
public struct WorkerEpochMetrics: Codable, Equatable, Sendable {
    public var name: String
    public var steps: Int
    public var computeMedianSeconds: Double
    public var computeP95Seconds: Double
    public var waitingSeconds: Double
    public var bytesSent: UInt64
    public var bytesReceived: UInt64

    enum CodingKeys: String, CodingKey {
        case name, steps
        case computeMedianSeconds = "compute_median_seconds", computeP95Seconds = "compute_p95_seconds"
        case waitingSeconds = "waiting_seconds", bytesSent = "bytes_sent", bytesReceived = "bytes_received"
    }

    /// The q-quantile of `values` (nearest rank), 0 for none.
    static func quantile(_ values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
    }

    /// The worker holding the steps back, when its median compute is at least `factor` ×
    /// the median of all workers' medians: its name and that ratio.
    public static func straggler(_ workers: [WorkerEpochMetrics], factor: Double = 1.5) -> (name: String, ratio: Double)? {
        guard workers.count >= 2, let slowest = workers.max(by: { $0.computeMedianSeconds < $1.computeMedianSeconds }) else { return nil }
        let typical = quantile(workers.map(\.computeMedianSeconds), 0.5)
        guard typical > 0 else { return nil }
        let ratio = slowest.computeMedianSeconds / typical
        return ratio >= factor ? (slowest.name, ratio) : nil
    }
}

/// Accumulates the workers' steps of one epoch into `WorkerEpochMetrics`.
struct WorkerEpochTally {
    private var computes: [String: [Double]] = [:]
    private var waited: [String: Double] = [:]
    private var firstBytes: [String: (UInt64, UInt64)] = [:]
    private var lastBytes: [String: (UInt64, UInt64)] = [:]

    mutating func add(_ steps: [WorkerStep]) {
        for s in steps {
            computes[s.name, default: []].append(s.computeSeconds)
            waited[s.name, default: 0] += s.waitingSeconds
            if firstBytes[s.name] == nil { firstBytes[s.name] = previous[s.name] ?? (0, 0) }
            lastBytes[s.name] = (s.bytesSent, s.bytesReceived)
        }
    }

    /// Byte counts at the end of the previous epoch, so that each epoch counts its own.
    private var previous: [String: (UInt64, UInt64)] = [:]

    /// The epoch's figures per worker (by name), and a fresh tally for the next epoch.
    mutating func finish() -> [WorkerEpochMetrics] {
        let result = computes.keys.sorted().map { name -> WorkerEpochMetrics in
            let c = computes[name]!
            let first = firstBytes[name] ?? (0, 0), last = lastBytes[name] ?? first
            return WorkerEpochMetrics(name: name, steps: c.count,
                                      computeMedianSeconds: WorkerEpochMetrics.quantile(c, 0.5),
                                      computeP95Seconds: WorkerEpochMetrics.quantile(c, 0.95),
                                      waitingSeconds: waited[name] ?? 0,
                                      bytesSent: last.0 &- first.0, bytesReceived: last.1 &- first.1)
        }
        for (name, bytes) in lastBytes { previous[name] = bytes }
        computes = [:]
        waited = [:]
        firstBytes = [:]
        lastBytes = [:]
        return result
    }
}

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
    /// Each worker's figures (a distributed run), by name.
    public var perWorker: [WorkerEpochMetrics]?

    enum CodingKeys: String, CodingKey {
        case epoch, steps, seconds, workers
        case perWorker = "per_worker"
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
