import ArgumentParser
import DataParallel
import Foundation
import NeuralNetwork

extension Digits {
    struct ExportPlan: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export-plan",
            abstract: "Write what a training run does, step by step, for another implementation to replay (Scripts/check-against-pytorch).",
            discussion: """
            Writes into the directory --out: initial.safetensors (the weights train starts \
            from), train-images.u8 and train-labels.u8 (the training samples, uint8, one row \
            each), plan.json (the settings, the formulas of the input encoding, loss, gradient \
            mean, optimiser and learning-rate schedule, the learning rate of every step, and \
            for every step the rows of every shard's micro-batch, in shard order), and \
            epoch-N.safetensors: the weights digits has after each epoch, from the real trainer. \
            Takes the training flags of train, but trains without augmentation (--augment none): \
            the other implementation replays the samples as they are.
            """)

        @OptionGroup var options: TrainingOptions

        /// Flags that mean nothing here: the plan starts afresh and writes no metrics or checkpoints.
        static let unused = ["--metrics", "--report", "--checkpoint", "--checkpoint-every", "--resume"]

        mutating func validate() throws {
            let given = GivenFlags()
            if given.contains("--augment") && !options.augment.isNone {
                throw ValidationError("export-plan writes the samples as they are, for another implementation to replay: --augment \(options.augment) would train on others; leave it out")
            }
            options.augment = .none
            guard given.contains("--out") else { throw ValidationError("export-plan needs --out DIR: the directory to write the plan into") }
            if let flag = Self.unused.first(where: given.contains) {
                throw ValidationError("export-plan writes no metrics, reports or checkpoints and always starts afresh: leave out \(flag)")
            }
        }

        func run() throws {
            let progress = ProgressView(quiet: options.quiet)
            let run = try PreparedRun(options)
            let (plan, architecture, images) = (run.plan, run.architecture, run.data.train)
            let directory = URL(fileURLWithPath: options.out)
            func write(_ bytes: [UInt8], _ name: String) throws {
                do {
                    try Data(bytes).write(to: directory.appendingPathComponent(name))
                } catch {
                    throw CLIError("cannot write \(directory.appendingPathComponent(name).path): \(error.localizedDescription)")
                }
            }
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw CLIError("cannot make the directory \(directory.path): \(error.localizedDescription)")
            }
            let start = try options.startingPoint(plan: plan, architecture: architecture, progress: progress)
            func model(_ network: Network, epoch: Int) -> TrainedModel {
                TrainedModel(network: network, imageHeight: images.height, imageWidth: images.width,
                             metadata: ["trained_by": "digits export-plan", "epoch": String(epoch), "seed": String(plan.settings.seed)])
            }
            try model(start.network, epoch: 0).write(to: directory.appendingPathComponent("initial.safetensors").path)
            try write(images.pixels, "train-images.u8")
            try write(images.labels, "train-labels.u8")
            let export = PlanExport(plan: plan, architecture: architecture, images: images)
            try write(Array(try JSONEncoder.sorted.encode(export)), "plan.json")
            progress.message("export-plan: \(architecture.summary), \(images.count) samples, \(plan.totalSteps) steps; training for the per-epoch weights")

            let executor = LocalExecutor(plan: plan, architecture: architecture, images: images, threads: 1)
            let trainer = Trainer(plan: plan, network: start.network, executor: executor)
            while !trainer.isFinished {
                _ = try trainer.step()
                guard trainer.nextStep % plan.stepsPerEpoch == 0 else { continue }
                let epoch = trainer.nextStep / plan.stepsPerEpoch
                try model(trainer.network, epoch: epoch).write(to: directory.appendingPathComponent(PlanExport.epochFile(epoch)).path)
            }
            progress.result("wrote the plan of \(plan.totalSteps) steps, the initial weights and those after each of \(plan.settings.epochs) epoch(s) to \(directory.path)")
        }
    }
}
