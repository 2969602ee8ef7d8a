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
            (the samples themselves: workers need no data set), then drives synchronous steps. \
            The weights are bit-for-bit those of `digits train` with the same flags. Flags can \
            also come from DIGITS_* environment variables (DIGITS_BIND, DIGITS_WORKERS, \
            DIGITS_EPOCHS, …); a flag on the command line wins.
            """)

        @Option(help: "Address to bind: tcp://HOST:PORT or ipc://PATH. Binding beyond loopback without CURVE is warned about.")
        var bind: String = "tcp://127.0.0.1:5555"

        @OptionGroup var coordinator: CoordinatorOptions
        @OptionGroup var options: TrainingOptions

        func run() throws {
            let progress = ProgressView(quiet: options.quiet)
            if Self.isPublic(bind) && coordinator.curveSecret == nil {
                progress.message("warning: binding \(bind) accepts workers from any network without encryption or authentication; use CURVE keys across untrusted networks")
            }
            try CoordinatorRun(options: options, coordinator: coordinator, progress: progress).run(bind: bind, role: "digits coordinator")
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
        let curve = try coordinator.curve()
        let transport = try ZeroMQCoordinatorTransport(bind: bind, maximumMessageSize: maximumMessage, curve: curve,
                                                       onRefusal: { line in log(line) })
        if localWorkers && coordinator.workers >= ProcessInfo.processInfo.activeProcessorCount { transport.spin = 0 }
        if let curve { log("CURVE on: traffic is encrypted, \(curve.allowedWorkers.count) worker key(s) admitted") }
        let executor = Coordinator(plan: plan, architecture: architecture, images: data.train,
                                   configuration: coordinator.configuration(coreType: BLAS.coreType),
                                   transport: transport, log: { line in progress.message("coordinator: \(line)") })
        executor.checkAbort = checkAbort
        try onBound(transport.endpoint)
        log("listening on \(transport.endpoint); waiting for \(coordinator.workers) worker(s) (\(plan.shardCount) shards)")
        if coordinator.workers > plan.shardCount {
            log("note: \(coordinator.workers) workers but only \(plan.shardCount) shards (batch ÷ micro-batch): \(coordinator.workers - plan.shardCount) will stay idle")
        }
        Interrupt.install()
        do {
            try executor.waitForWorkers()
            var session = try run.session(options, executor: executor, workers: coordinator.workers, role: role, progress: progress)
            session.keepAlive = executor.keepAlive
            session.trainingDone = { executor.shutdown(reason: "training finished") }
            progress.message("training \(architecture.summary) on \(run.dataName): \(data.train.count) samples, \(plan.stepsPerEpoch) steps per epoch, \(plan.shardCount) shards over \(executor.workerNames.count) workers")
            try session.run()
            executor.shutdown(reason: "training finished")
        } catch {
            executor.shutdown(reason: "the coordinator stopped: \(error)")
            throw error
        }
    }
}
