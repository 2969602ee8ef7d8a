import ArgumentParser
import DataParallel
import Datasets
import Foundation
import NeuralNetwork
import ZeroMQ

extension Digits {
    struct CoordinatorCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "coordinator",
            abstract: "Own the plan and the model; shard the data over workers that connect, and train.",
            discussion: """
            Waits for --workers workers (`digits worker --connect ADDRESS`), sends each its shards \
            (the samples themselves: workers need no data set), then drives synchronous steps, \
            every step's parameters and gradients over ZeroMQ. The weights are bit-for-bit those \
            of `digits train` with the same flags.

            Nobody joins without a credential: by default the coordinator makes a join token and \
            prints it (or writes it to --token-file); workers pass it with --token-file or \
            DIGITS_TOKEN, and all traffic is encrypted with CURVE keys derived from it. CURVE key \
            files (--curve-secret, --allow-keys) admit listed workers instead; --insecure admits \
            anyone. Flags can also come from DIGITS_* environment variables (DIGITS_BIND, \
            DIGITS_WORKERS, DIGITS_TOKEN, …); a flag on the command line wins.
            """)

        @Option(help: "Address to bind: tcp://HOST:PORT or ipc://PATH.")
        var bind: String = "tcp://127.0.0.1:5555"

        @OptionGroup var coordinator: CoordinatorOptions
        @OptionGroup var credentials: CredentialOptions
        @OptionGroup var options: TrainingOptions

        func run() throws {
            let progress = ProgressView(quiet: options.quiet)
            let curve = try credentials.credential(log: Logger(prefix: "coordinator: ", quiet: options.quiet))
            if curve == nil {
                let reach = Self.isPublic(bind) ? "anyone on any network that reaches \(bind)" : "anyone who can reach \(bind)"
                progress.message("warning: --insecure: \(reach) may join without a credential, receive the training samples and the weights, and corrupt the model with its gradients; traffic is not encrypted")
            }
            try CoordinatorRun(options: options, coordinator: coordinator, progress: progress, curve: curve).run(bind: bind, role: "digits coordinator")
        }

        static func isPublic(_ address: String) -> Bool {
            guard address.hasPrefix("tcp://") else { return false }
            let host = address.dropFirst(6).split(separator: ":").dropLast().joined(separator: ":")
            return !(host.hasPrefix("127.") || host == "localhost" || host == "[::1]" || host == "::1")
        }
    }
}

/// What `coordinator` and `launch` share: bind, wait for the workers, train, save, shut down.
struct CoordinatorRun {
    let options: TrainingOptions
    let coordinator: CoordinatorOptions
    let progress: ProgressView
    /// Who may join (nil: anyone who can reach the socket).
    let curve: CoordinatorCurve?
    var checkAbort: () throws -> Void = {}
    var onBound: (String) throws -> Void = { _ in }
    /// Whether the workers run on this machine, and so compete for its cores.
    var localWorkers = false

    func run(bind: String, role: String) throws {
        let run = try PreparedRun(options)
        let (plan, architecture, data) = (run.plan, run.architecture, run.data)
        // Room for a worker's reply: a few subtree sums of every parameter, never more.
        let nodes = 2 * (Int.bitWidth - plan.shardCount.leadingZeroBitCount) + 2
        let maximumMessage = nodes * (architecture.parameterCount * 4 + 64) + 4096
        let log = Logger(prefix: "coordinator: ", quiet: options.quiet)
        let transport = try ZeroMQCoordinatorTransport(bind: bind, maximumMessageSize: maximumMessage, curve: curve,
                                                       onRefusal: { line in log(line) })
        if localWorkers && coordinator.workers >= ProcessInfo.processInfo.activeProcessorCount { transport.spin = 0 }
        if let curve { log("CURVE on: traffic is encrypted, \(curve.allowedWorkers.count) worker key(s) admitted") }
        let executor = Coordinator(plan: plan, architecture: architecture, images: data.train,
                                   configuration: coordinator.configuration(coreType: BLAS.coreType),
                                   transport: transport, log: { line in progress.message("coordinator: \(line)") })
        let timeline = try options.makeTimeline(progress: progress, inMemory: coordinator.dashboard != nil)
        defer { timeline?.close() }
        executor.timeline = timeline
        let dashboard = try coordinator.dashboard.map { address in
            let title = "\(architecture.summary) on \(run.dataName), \(coordinator.exchange.rawValue) exchange, \(coordinator.workers) worker(s)"
            return try Dashboard(address: address, status: RunStatus(title: title, totalSteps: plan.totalSteps, epochs: plan.settings.epochs),
                                 log: log.callAsFunction)
        }
        defer { dashboard?.stop() }
        if let feed = dashboard?.feed {
            feed.roster = { executor.roster }
            feed.timeline = timeline
        }
        try onBound(transport.endpoint)
        log("listening on \(transport.endpoint); waiting for \(coordinator.workers) worker(s) (\(plan.shardCount) shards)")
        if coordinator.workers > plan.shardCount {
            log("note: \(coordinator.workers) workers but only \(plan.shardCount) shards (batch ÷ micro-batch): \(coordinator.workers - plan.shardCount) will stay idle")
        }
        Interrupt.install()
        do {
            // SIGTERM or Ctrl-C while waiting for workers ends the wait at once; during
            // training, the session stops after the step and saves the model instead.
            let feed = dashboard?.feed
            let check: () throws -> Void = { [checkAbort] in
                feed?.tick()
                try checkAbort()
            }
            executor.checkAbort = {
                if Interrupt.requested { throw WaitInterrupted() }
                try check()
            }
            try executor.waitForWorkers()
            executor.checkAbort = check
            var session = try run.session(options, executor: executor, workers: coordinator.workers, role: role, progress: progress,
                                          timeline: timeline)
            session.keepAlive = { executor.keepAlive(); feed?.tick() }
            session.feed = feed
            session.trainingDone = { executor.shutdown(reason: "training finished") }
            progress.message("training \(architecture.summary) on \(run.dataName): \(data.train.count) samples, \(plan.stepsPerEpoch) steps per epoch, \(plan.shardCount) shards over \(executor.workerNames.count) workers")
            try session.run()
            executor.shutdown(reason: "training finished")
        } catch is WaitInterrupted {
            executor.shutdown(reason: "the coordinator was stopped by a signal")
            progress.message("coordinator: stopped by a signal while waiting for workers; nothing was trained")
            throw ExitCode(130)
        } catch {
            executor.shutdown(reason: "the coordinator stopped: \(error)")
            throw error
        }
    }

    /// A signal arrived while the coordinator waited for its workers.
    struct WaitInterrupted: Error {}
}
