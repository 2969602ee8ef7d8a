import ArgumentParser
import DataParallel
import Datasets
import Foundation
import NeuralNetwork

extension Digits {
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a digit reader in this process and save it.",
            discussion: """
            Trains on the embedded MNIST (or --data DIR) and writes the model (safetensors), \
            an HTML report and, with --metrics, one JSON line per epoch. Ctrl-C saves the \
            model trained so far. The result depends on the seed and the flags only: \
            --threads, like the number of workers of `digits launch`, never changes it.
            """)

        @OptionGroup var options: TrainingOptions

        @Option(help: "In-process workers (threads), each computing its own shards.")
        var threads: Int = 1

        @Option(name: .customLong("eval-every"),
                help: "Also measure test accuracy after every N-th step (learning curves finer than an epoch; Scripts/bench's time to 97%), outside the timed training. Needs --eval-log.")
        var evalEvery: Int?

        @Option(name: .customLong("eval-log"),
                help: ArgumentHelp("Where --eval-every writes one JSON object per evaluation: step, epoch, samples, training_seconds (evaluations left out), test_accuracy, test_loss.", valueName: "file"))
        var evalLog: String?

        func validate() throws {
            if threads < 1 { throw ValidationError("--threads must be at least 1") }
            if let evalEvery, evalEvery < 1 { throw ValidationError("--eval-every must be at least 1") }
            if (evalEvery == nil) != (evalLog == nil) { throw ValidationError("--eval-every and --eval-log go together") }
            if let evalLog { try options.checkOutputs(extra: [OutputFile(flag: "--eval-log", path: evalLog, writing: .inPlace)]) }
        }

        func run() throws {
            let progress = ProgressView(quiet: options.quiet)
            let run = try PreparedRun(options)
            let plan = run.plan
            let executor = LocalExecutor(plan: plan, architecture: run.architecture, images: run.data.train, threads: threads)
            if threads > plan.shardCount {
                progress.message("note: \(threads) threads but only \(plan.shardCount) shards (batch ÷ micro-batch): \(threads - plan.shardCount) stay idle")
            }
            var session = try run.session(options, executor: executor, workers: executor.threads, role: "digits train", progress: progress,
                                          timeline: try options.makeTimeline(progress: progress))
            if let evalEvery, let evalLog { session.evaluations = (every: evalEvery, log: evalLog) }
            progress.message("training \(run.architecture.summary) on \(run.dataName): \(run.data.train.count) samples, \(plan.stepsPerEpoch) steps per epoch, \(plan.shardCount) shards of micro-batch \(plan.microBatch), \(executor.threads) thread(s)")
            try session.run()
        }
    }
}
