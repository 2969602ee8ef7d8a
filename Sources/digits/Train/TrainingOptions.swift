import ArgumentParser
import DataParallel
import Datasets
import Foundation
import NeuralNetwork

extension OptimizerKind: ExpressibleByArgument {}

extension Augmentation: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
    public static var allValueStrings: [String] { ["none", "all"] + partNames }
}
extension LearningRateSchedule: ExpressibleByArgument {}

/// The training flags shared by `train`, `coordinator` and `launch`, with the same meaning
/// everywhere.
struct TrainingOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Hidden layer sizes, comma-separated (e.g. 256,128).", valueName: "sizes"))
    var layers: String = "800"

    @Option(help: "Passes over the training set.")
    var epochs: Int = 25

    @Option(help: "Samples per step (the global batch); a multiple of --micro-batch.")
    var batch: Int = 64

    @Option(name: .customLong("micro-batch"),
            help: "Samples per micro-batch, the unit of work. batch ÷ micro-batch shards are spread over the workers.")
    var microBatch: Int = 32

    @Option(name: .customLong("lr"), help: "Learning rate α.")
    var learningRate: Float = 0.05

    @Option(help: "Update rule: sgd, momentum (μ = 0.9) or adam.")
    var optimizer: OptimizerKind = .momentum

    @Option(name: .customLong("lr-schedule"), help: "constant, or cosine: α falls from --lr to 0 over the run.")
    var schedule: LearningRateSchedule = .cosine

    @Option(help: ArgumentHelp("What is done to each training image, new every epoch and the same for any number of workers: none; stroke (thicken by up to 2 px or thin by up to 1, each with probability ⅓), affine (rotate ±15°, scale 0.85–1.15, aspect 0.9–1.1, shear ±0.25, shift ±2 px), elastic (Simard 2003: smoothed random displacement, σ 4, α 34); parts joined with + (affine+elastic), or all.", valueName: "parts"))
    var augment: Augmentation = Augmentation(stroke: true, affine: true)

    @Option(help: "Seed for initial weights, shards and shuffles. Same seed and flags, same model, bit for bit.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("A directory of IDX files with the standard MNIST names (Fashion-MNIST, KMNIST, EMNIST work). Default: the embedded MNIST.", valueName: "dir"))
    var data: String?

    @Option(help: "Train on the first N training samples only.")
    var limit: Int?

    @Option(help: "Hold out N training samples (chosen by the seed) to report validation accuracy and to calibrate the model's confidence (temperature scaling, and the threshold below which a reading is \"not sure\"). Default: 5000 of the embedded MNIST's 60000, none with --limit or --data.")
    var validation: Int?

    /// The samples held out: `--validation`, or 5,000 of the whole embedded MNIST (which then
    /// trains on 55,000), so that the default model is calibrated. Not of other sets by
    /// default: their size is not known before they are read, and a small one could not spare them.
    var heldOut: Int { validation ?? (limit == nil && data == nil ? 5000 : 0) }

    @Option(help: ArgumentHelp("Where to save the model (safetensors).", valueName: "file"))
    var out: String = "model.safetensors"

    @Option(help: ArgumentHelp("Write one JSON object per epoch to this file.", valueName: "file"))
    var metrics: String?

    @Option(help: ArgumentHelp("Write the HTML training report here (default: beside --out, with .html).", valueName: "file"))
    var report: String?

    @Option(help: ArgumentHelp("Write a timeline of the run here, in the Chrome trace-event format (open it in Perfetto or chrome://tracing): a track for the coordinator and one per worker, with spans for sending, computing (per tree node), replying, waiting, updating and evaluating, and the joins, drops and redone steps.", valueName: "file"))
    var timeline: String?

    @Option(help: ArgumentHelp("Write a checkpoint (weights, optimiser state, plan position) here, atomically, every --checkpoint-every steps and at the end or on SIGTERM.", valueName: "file"))
    var checkpoint: String?

    @Option(name: .customLong("checkpoint-every"), help: "Steps between checkpoints.")
    var checkpointEvery: Int = 200

    @Option(help: ArgumentHelp("Continue from this checkpoint, bit for bit as if never stopped; a missing file starts afresh (for requeued jobs).", valueName: "file"))
    var resume: String?

    @Flag(help: "Print nothing but errors. Otherwise results (a line per epoch, the final summary) go to standard output, progress and logs to standard error.")
    var quiet = false

    func validate() throws {
        if parsedLayers == nil { throw ValidationError("--layers must be positive sizes separated by commas, such as 128 or 256,128 (got \"\(layers)\")") }
        if let problem = settings.problems.first { throw ValidationError(problem) }
        // Before --data is read its shape is unknown: 1 input and 1 class bound it from below,
        // and `PreparedRun` checks again with the real shape.
        let shape = data == nil ? TrainingLimits.mnist : (inputs: 1, classes: 1)
        if let problem = sizeProblem(inputs: shape.inputs, classes: shape.classes) { throw ValidationError(problem) }
        if checkpointEvery < 1 { throw ValidationError("--checkpoint-every must be at least 1") }
        try checkOutputs()
    }

    var parsedLayers: [Int]? {
        if layers.trimmingCharacters(in: .whitespaces).isEmpty { return [] }
        let parts = layers.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return parts.map { $0! }
    }

    var settings: TrainingSettings {
        TrainingSettings(hidden: parsedLayers ?? [], epochs: epochs, batch: batch, microBatch: microBatch,
                         learningRate: learningRate, optimizer: optimizer, schedule: schedule, seed: seed, limit: limit, validation: heldOut,
                         augmentation: augment)
    }

    var reportPath: String {
        report ?? (out.hasSuffix(".safetensors") ? String(out.dropLast(".safetensors".count)) + ".html" : out + ".html")
    }

    /// The data set named by --data, or the embedded MNIST.
    func loadData() throws -> DataSet { try loadDataSet(data) }

    /// Where training starts: fresh weights from the seed, or the state in `--resume`.
    func startingPoint(plan: Plan, architecture: Architecture, progress: ProgressView) throws -> (network: Network, optimizer: Optimizer?, nextStep: Int, history: [EpochMetrics]) {
        guard let resume, FileManager.default.fileExists(atPath: resume) else {
            if let resume { progress.message("note: \(resume) does not exist yet: starting a fresh run") }
            return (Network(architecture: architecture, seed: settings.seed), nil, 0, [])
        }
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint(contentsOf: resume)
        } catch let error as SafeTensorsError {
            throw CLIError("cannot resume: \(error.description)")
        }
        if let mismatch = checkpoint.mismatch(settings: settings, sampleCount: plan.sampleCount) {
            throw CLIError("cannot resume from \(resume): \(mismatch)")
        }
        guard checkpoint.model.network.architecture == architecture else {
            throw CLIError("cannot resume from \(resume): it holds \(checkpoint.model.network.architecture.summary), this run trains \(architecture.summary)")
        }
        progress.message("resuming from \(resume) at step \(checkpoint.nextStep) of \(plan.totalSteps)")
        return (checkpoint.model.network, checkpoint.optimizer, checkpoint.nextStep, checkpoint.history)
    }
}
