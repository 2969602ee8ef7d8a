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

        func validate() throws {
            if threads < 1 { throw ValidationError("--threads must be at least 1") }
        }

        func run() throws {
            let progress = ProgressView(quiet: options.quiet)
            let dataSet = try options.loadData()
            let settings = options.settings
            let data = try TrainingData(dataSet, settings: settings)
            BLAS.threads = 1
            let plan = Plan(settings: settings, sampleCount: data.train.count)
            let architecture = settings.architecture(inputs: data.train.featureCount, classes: data.train.classes)
            let executor = LocalExecutor(plan: plan, architecture: architecture, images: data.train, threads: threads)
            if threads > plan.shardCount {
                progress.message("note: \(threads) threads but only \(plan.shardCount) shards (batch ÷ micro-batch): \(threads - plan.shardCount) stay idle")
            }
            let start = try options.startingPoint(plan: plan, architecture: architecture, progress: progress)
            let trainer = Trainer(plan: plan, network: start.network, optimizer: start.optimizer, nextStep: start.nextStep, executor: executor)
            progress.message("training \(architecture.summary) on \(dataSet.name): \(data.train.count) samples, \(plan.stepsPerEpoch) steps per epoch, \(plan.shardCount) shards of micro-batch \(settings.microBatch), \(executor.workers.count) thread(s)")
            try TrainingSession(options: options, data: data, dataName: dataSet.name, trainer: trainer,
                                workers: executor.workers.count, role: "digits train", progress: progress, history: start.history).run()
        }
    }
}
