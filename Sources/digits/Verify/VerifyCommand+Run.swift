import ArgumentParser
import DataParallel
import Foundation
import NeuralNetwork

extension Digits.Verify {
    func run() throws {
        let given = GivenFlags()
        var options = effectiveOptions(given)
        let progress = ProgressView(quiet: options.quiet)
        // The data, the plan and the architecture, checked here as train checks them.
        let prepared = try PreparedRun(options)
        let plan = prepared.plan
        if !given.contains("--checkpoint-every") { options.checkpointEvery = max(1, plan.stepsPerEpoch / 6) }
        let flags = options.settings.arguments(data: options.data)
        let parsed = try TrainingOptions.parse(flags)
        precondition(parsed.settings == options.settings && parsed.data == options.data, "the runs' flags do not give verify's settings")
        var perturbed = options.settings
        perturbed.seed &+= 1

        let privateDirectory = try PrivateDirectory(prefix: "digits-verify-")
        defer { privateDirectory.remove() }
        var directory = privateDirectory.path
        if let keep {
            do {
                try FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
            } catch {
                throw CLIError("cannot make the directory \(keep) for --keep: \(error.localizedDescription)")
            }
            directory = keep
        }
        let runner = VerifyRunner(.init(executable: ChildProcess.currentExecutable, directory: directory, sockets: privateDirectory.path,
                                        flags: flags, perturbedFlags: perturbed.arguments(data: options.data), perturb: perturbSeed,
                                        environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("DIGITS_") },
                                        transport: transport, plan: plan, checkpointEvery: options.checkpointEvery,
                                        tokenFile: tokenFile, joinTimeout: joinTimeout),
                                  say: { FileHandle.standardError.write(Data("verify: \($0)\n".utf8)) })
        Interrupt.install()
        progress.message("verify: \(prepared.architecture.summary) on \(prepared.dataName): \(prepared.data.train.count) samples, \(plan.shardCount) shards, \(plan.stepsPerEpoch) steps per epoch, \(options.epochs) epoch(s); flags for every run: \(flags.joined(separator: " "))")
        for n in workers.values where !coordinatorOnly && n > plan.shardCount {
            progress.message("verify: note: launch --workers \(n) has \(n - plan.shardCount) worker(s) more than shards (batch ÷ micro-batch = \(plan.shardCount)): they stay idle")
        }

        let configurations = configurations
        var rows: [VerifyRow] = []
        var reference: TrainedModel?
        for (i, configuration) in configurations.enumerated() {
            progress.message("verify: [\(i + 1)/\(configurations.count)] \(configuration.label)")
            var outcome = runner.run(configuration)
            if configuration == .reference, let model = outcome.model {
                do {
                    reference = try TrainedModel(contentsOf: model)
                } catch {
                    (outcome.model, outcome.failure) = (nil, "cannot read its model: \(error)")
                }
            }
            let row = VerifyRow(configuration, outcome: outcome, reference: reference)
            rows.append(row)
            progress.message(String(format: "verify: %@: %@ (%.1f s)", configuration.label, row.verdict, outcome.seconds))
            if Interrupt.requested || reference == nil { break }
        }

        let report = VerifyReport(settings: options.settings, rows: rows)
        print(report.table)
        print()
        print(report.summary)
        if let json { try report.write(json: json) }
        if keep != nil { progress.message("verify: the models, metrics and logs are in \(directory)") }
        if Interrupt.requested { throw ExitCode(130) }
        if !report.passed { throw ExitCode(1) }
    }
}
