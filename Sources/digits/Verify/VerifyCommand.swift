import ArgumentParser
import DataParallel
import Foundation
import NeuralNetwork

extension Digits {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train the same model in several ways and check that all write the same weights, bit for bit.",
            discussion: """
            Runs `digits train --threads 1` as the reference, then each configuration asked for, \
            each as real processes of this executable, started as a user would start them: \
            `launch --workers N --exchange E` for each N of --workers and each E of --exchanges, \
            `train --threads T` for each T of \
            --threads; with --faults, a coordinator and 3 workers of which one is killed with \
            SIGKILL mid-epoch while a fourth joins; with --stop-and-resume, a `train` stopped \
            by SIGTERM after its first epoch and resumed from its checkpoint. Then it prints a \
            row per configuration: wall time, training samples/s, the SHA-256 of the tensor \
            bytes (its first 16 hex digits; --json has all 64), how many parameters differ from \
            the reference, the largest absolute and ULP difference, and a verdict. It exits 0 \
            only if every configuration wrote the reference's weights; otherwise 1, naming the \
            first tensor and index that differs. A configuration that cannot run says why in \
            its row.

            Every training flag goes to every run. Defaults that differ from train's, for a \
            run well under a minute: --limit 3000 --epochs 2 --layers 32 --batch 96 (with \
            --micro-batch 32: 3 shards, so that 3 workers all have work), and --checkpoint-every \
            a sixth of an epoch (5 steps with these; --faults kills a worker at the first \
            checkpoint). The defaults shown below for these are train's. verify chooses each \
            run's --out, --metrics, --report, --checkpoint and --resume; --keep DIR keeps them, \
            with the logs. The runs get this environment without its DIGITS_* variables, so \
            that only these flags decide them.

            Across machines: --coordinator-only --bind ADDRESS --workers N runs the reference \
            here, then a coordinator bound to ADDRESS, prints the command for its workers, and \
            compares once they have trained. The guarantee across machines needs the same \
            OpenBLAS kernels everywhere (OPENBLAS_CORETYPE).
            """)

        @OptionGroup var options: TrainingOptions

        @Option(help: ArgumentHelp("Worker counts to run `launch --workers N` with, comma-separated. With --coordinator-only: one count, the remote workers.", valueName: "counts"))
        var workers = Counts([1, 2, 3])

        @Option(help: ArgumentHelp("Exchanges to run each `launch --workers N` with, comma-separated: sliced, star.", valueName: "list"))
        var exchanges = Exchanges([.sliced, .star])

        @Option(help: ArgumentHelp("Thread counts to run `train --threads T` with, comma-separated.", valueName: "counts"))
        var threads = Counts([2])

        @Option(help: "How the workers of launch and --faults connect: ipc or tcp.")
        var transport = "ipc"

        @Flag(help: "Also run a coordinator and 3 workers, kill one with SIGKILL mid-epoch and start a fourth that joins later.")
        var faults = false

        @Flag(name: .customLong("stop-and-resume"),
              help: "Also run a `train` stopped by SIGTERM after its first epoch, then resumed from its checkpoint (--resume FILE is train's own flag).")
        var stopAndResume = false

        @Option(help: ArgumentHelp("Keep the models, metrics and logs in this directory (default: a private temporary one, removed at the end).", valueName: "dir"))
        var keep: String?

        @Option(help: ArgumentHelp("Also write the table to this file as JSON.", valueName: "file"))
        var json: String?

        @Flag(name: .customLong("coordinator-only"),
              help: "Run the reference, then a coordinator bound to --bind whose --workers N workers you start on other machines, and compare.")
        var coordinatorOnly = false

        @Option(help: ArgumentHelp("With --coordinator-only: the address to bind, e.g. tcp://0.0.0.0:5555.", valueName: "address"))
        var bind: String?

        @Option(name: .customLong("token-file"),
                help: ArgumentHelp("With --coordinator-only: the run's join token, read from this file, or made and written there (default: made in the run directory).", valueName: "file"))
        var tokenFile: String?

        @Option(name: .customLong("join-timeout"), help: "With --coordinator-only: seconds to wait for the remote workers.")
        var joinTimeout: Double = 300

        @Option(name: .customLong("perturb-seed"),
                help: ArgumentHelp("Run this configuration (reference, workers-N, threads-T, faults, resume, remote) with --seed + 1, to see a difference found.", visibility: .hidden))
        var perturbSeed: String?

        /// Flags whose value verify chooses per run.
        static let chosenPerRun = ["--out", "--metrics", "--report", "--checkpoint", "--resume"]

        /// The training options, with verify's defaults for the flags not given (but for
        /// --checkpoint-every, which depends on the plan: see `run`).
        func effectiveOptions(_ given: GivenFlags = GivenFlags()) -> TrainingOptions {
            var o = options
            if !given.contains("--limit") { o.limit = 3000 }
            if !given.contains("--epochs") { o.epochs = 2 }
            if !given.contains("--layers") { o.layers = "32" }
            if !given.contains("--batch") { o.batch = 96 }
            return o
        }

        var configurations: [VerifyConfiguration] {
            if coordinatorOnly, let bind { return [.reference, .remote(bind: bind, workers: workers.values[0])] }
            return [.reference] + exchanges.values.flatMap { e in workers.values.map { .launch(workers: $0, exchange: e) } }
                + threads.values.map { .threads($0) }
                + (faults ? [.faults] : []) + (stopAndResume ? [.stopAndResume] : [])
        }

        func validate() throws {
            let given = GivenFlags()
            guard ["ipc", "tcp"].contains(transport) else { throw ValidationError("--transport must be ipc or tcp") }
            if let chosen = Self.chosenPerRun.first(where: given.contains) {
                throw ValidationError("verify chooses every run's --out, --metrics, --report, --checkpoint and --resume itself (got \(chosen)); --keep DIR keeps them")
            }
            // train's checks ran on train's defaults; these are the values the runs get.
            if let problem = effectiveOptions(given).settings.problems.first { throw ValidationError(problem) }
            if coordinatorOnly {
                guard bind != nil else { throw ValidationError("--coordinator-only needs --bind ADDRESS, where the remote workers connect (e.g. tcp://0.0.0.0:5555)") }
                guard given.contains("--workers"), workers.values.count == 1 else {
                    throw ValidationError("--coordinator-only needs --workers N: how many remote workers will join (one count)")
                }
                if faults || stopAndResume || given.contains("--threads") {
                    throw ValidationError("--coordinator-only runs the reference and the remote coordinator only: leave out --faults, --stop-and-resume and --threads")
                }
            } else if bind != nil || tokenFile != nil || given.contains("--join-timeout") {
                throw ValidationError("--bind, --token-file and --join-timeout go with --coordinator-only")
            }
            if !(joinTimeout > 0) { throw ValidationError("--join-timeout must be a positive number of seconds") }
            if let perturbSeed, !configurations.contains(where: { $0.id == perturbSeed }) {
                throw ValidationError("--perturb-seed: this run has no configuration \(perturbSeed) (it has \(configurations.map(\.id).joined(separator: ", ")))")
            }
        }
    }
}
