import Datasets
import Foundation
import NeuralNetwork

/// Everything needed to continue a run exactly: weights, optimiser state (v, m, s and t),
/// the plan's position, and the settings it was made with. Stored as safetensors: the
/// weights as in a model file, `optimizer.first_moment` / `optimizer.second_moment` as flat
/// F32 tensors, the rest in the metadata. Written atomically (temporary file, fsync, rename).
///
/// A resumed run must be the run that was stopped, so nothing is taken on trust: the metadata
/// carries the SHA-256 of the data section (`tensors_sha256`) and of the rest of the metadata
/// (`metadata_sha256`, over its sorted JSON), and loading also refuses non-finite values and a
/// position beyond the plan. One flipped bit is a refusal, not a different result.
public struct Checkpoint: Sendable {
    public static let format = "digits-checkpoint-2"

    public var model: TrainedModel
    public var optimizer: Optimizer
    public var settings: TrainingSettings
    /// Training samples the plan was cut from.
    public var sampleCount: Int
    /// The next global step to run.
    public var nextStep: Int
    /// The epochs finished so far, for the metrics and the report.
    public var history: [EpochMetrics]

    public init(model: TrainedModel, optimizer: Optimizer, settings: TrainingSettings, sampleCount: Int, nextStep: Int, history: [EpochMetrics]) {
        self.model = model
        self.optimizer = optimizer
        self.settings = settings
        self.sampleCount = sampleCount
        self.nextStep = nextStep
        self.history = history
    }

    public func write(to path: String) throws {
        var file = model.safeTensors()
        let p = optimizer.firstMoment.count, q = optimizer.secondMoment.count
        file.tensors.append(.init(name: "optimizer.first_moment", shape: [p], values: optimizer.firstMoment))
        file.tensors.append(.init(name: "optimizer.second_moment", shape: [q], values: optimizer.secondMoment))
        file.metadata["format"] = Self.format
        file.metadata["settings"] = String(decoding: try JSONEncoder.sorted.encode(settings), as: UTF8.self)
        file.metadata["optimizer"] = String(decoding: try JSONEncoder.sorted.encode(optimizer.configuration), as: UTF8.self)
        file.metadata["optimizer_step"] = String(optimizer.step)
        file.metadata["sample_count"] = String(sampleCount)
        file.metadata["next_step"] = String(nextStep)
        file.metadata["history"] = String(decoding: try JSONEncoder.sorted.encode(history), as: UTF8.self)
        file.metadata["tensors_sha256"] = SHA256.hash(file.dataBytes())
        file.metadata["metadata_sha256"] = try Self.digest(of: file.metadata)
        try file.write(to: path)
    }

    /// SHA-256 of the metadata but its own checksum, as JSON with sorted keys.
    static func digest(of metadata: [String: String]) throws -> String {
        SHA256.hash(Array(try JSONEncoder.sorted.encode(metadata.filter { $0.key != "metadata_sha256" })))
    }

    /// Reads and checks a checkpoint as a whole; nothing is used unless all of it is valid.
    public init(contentsOf path: String) throws {
        let file = try SafeTensors(contentsOf: path)
        func fail(_ reason: String) -> SafeTensorsError { SafeTensorsError(source: path, reason: reason) }
        guard file.metadata["format"] == Self.format else {
            if file.metadata["format"] == "digits-checkpoint-1" {
                throw fail("it was written by an older digits, without checksums: start afresh (without --resume, or with a new --checkpoint)")
            }
            throw fail("not a digits checkpoint (format \(file.metadata["format"] ?? "missing"))")
        }
        guard let digest = file.metadata["metadata_sha256"], digest == (try? Self.digest(of: file.metadata)) else {
            throw fail("its metadata (settings, position, history) does not match its SHA-256 (metadata_sha256): the file was altered or damaged; start afresh")
        }
        guard file.metadata["tensors_sha256"] == SHA256.hash(file.dataBytes()) else {
            throw fail("its tensor data does not match its SHA-256 (tensors_sha256): the file is damaged; start afresh")
        }
        var modelFile = file
        modelFile.metadata["format"] = "digits-model-1"
        modelFile.tensors.removeAll { $0.name.hasPrefix("optimizer.") }
        let model = try TrainedModel(safeTensors: modelFile, source: path)
        let decoder = JSONDecoder()
        guard let settings = file.metadata["settings"].flatMap({ try? decoder.decode(TrainingSettings.self, from: Data($0.utf8)) }),
              let configuration = file.metadata["optimizer"].flatMap({ try? decoder.decode(OptimizerConfiguration.self, from: Data($0.utf8)) }),
              let step = file.metadata["optimizer_step"].flatMap(Int.init), step >= 0,
              let sampleCount = file.metadata["sample_count"].flatMap(Int.init), sampleCount > 0,
              let nextStep = file.metadata["next_step"].flatMap(Int.init), nextStep >= 0,
              let history = file.metadata["history"].flatMap({ try? decoder.decode([EpochMetrics].self, from: Data($0.utf8)) }),
              let first = file.tensor(named: "optimizer.first_moment"), let second = file.tensor(named: "optimizer.second_moment")
        else { throw fail("its settings, optimiser state or position are missing or invalid") }
        let p = model.network.parameters.count
        let fresh = Optimizer(configuration, parameterCount: p)
        guard first.values.count == fresh.firstMoment.count, second.values.count == fresh.secondMoment.count else {
            throw fail("its optimiser state does not fit a \(configuration.kind.rawValue) optimiser of \(p) parameters")
        }
        guard settings.problems.isEmpty, settings.optimizerConfiguration == configuration else {
            throw fail("its settings are inconsistent")
        }
        for t in [first, second] {
            if let i = t.values.firstIndex(where: { !$0.isFinite }) {
                throw fail("tensor \(t.name) holds \(t.values[i]) at index \(i): the optimiser state is not finite")
            }
        }
        let steps = Plan.stepCounts(settings: settings, sampleCount: sampleCount)?.total
        guard let steps, nextStep <= steps else {
            throw fail("next_step \(nextStep) is beyond the \(steps.map(String.init) ?? "no") steps of the plan its settings make")
        }
        guard step <= nextStep else {
            throw fail("optimizer_step \(step) is more than next_step \(nextStep): an update is made at most once a step")
        }
        self.init(model: model, optimizer: Optimizer(configuration, firstMoment: first.values, secondMoment: second.values, step: step),
                  settings: settings, sampleCount: sampleCount, nextStep: nextStep, history: history)
    }

    /// Why this checkpoint cannot continue a run with `settings` on `sampleCount` samples, or nil.
    public func mismatch(settings other: TrainingSettings, sampleCount count: Int) -> String? {
        var differences: [String] = []
        let a = settings, b = other
        if a.hidden != b.hidden { differences.append("--layers \(a.hidden.map(String.init).joined(separator: ",")) vs \(b.hidden.map(String.init).joined(separator: ","))") }
        if a.epochs != b.epochs { differences.append("--epochs \(a.epochs) vs \(b.epochs)") }
        if a.batch != b.batch { differences.append("--batch \(a.batch) vs \(b.batch)") }
        if a.microBatch != b.microBatch { differences.append("--micro-batch \(a.microBatch) vs \(b.microBatch)") }
        if a.learningRate != b.learningRate { differences.append("--lr \(a.learningRate) vs \(b.learningRate)") }
        if a.optimizer != b.optimizer { differences.append("--optimizer \(a.optimizer.rawValue) vs \(b.optimizer.rawValue)") }
        if a.schedule != b.schedule { differences.append("--lr-schedule \(a.schedule.rawValue) vs \(b.schedule.rawValue)") }
        if a.seed != b.seed { differences.append("--seed \(a.seed) vs \(b.seed)") }
        if a.validation != b.validation { differences.append("--validation \(a.validation) vs \(b.validation)") }
        if a.augmentation != b.augmentation { differences.append("--augment \(a.augmentation) vs \(b.augmentation)") }
        if sampleCount != count { differences.append("\(sampleCount) vs \(count) training samples (--limit, --data)") }
        return differences.isEmpty ? nil : "the checkpoint was made with other settings (checkpoint vs now): " + differences.joined(separator: "; ")
    }
}
