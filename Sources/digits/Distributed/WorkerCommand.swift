import ArgumentParser
import DataParallel
import Foundation
import NeuralNetwork
import ZeroMQ

extension Digits {
    struct WorkerCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "worker",
            abstract: "Join a coordinator, receive shards of the data, and compute gradients until the run ends.",
            discussion: """
            A worker needs no data set on disk: the coordinator sends it its shards. It exits \
            when the coordinator says the run is over, or after --timeout seconds without hearing \
            from it. Flags can also come from DIGITS_* environment variables (DIGITS_COORDINATOR \
            for --connect, DIGITS_NAME, …).
            """)

        @Option(help: "The coordinator's address: tcp://HOST:PORT or ipc://PATH.")
        var connect: String = "tcp://127.0.0.1:5555"

        @Option(name: .customLong("peer-bind"), help: ArgumentHelp("Where the other workers reach this one in the sliced exchange: tcp://*:PORT (every interface; the coordinator tells the others the address it sees this worker connect from), tcp://ADDRESS:PORT, or ipc://PATH. Port 0 or * picks a free one. Open it to the other workers' hosts. Default: tcp://*:0, or tcp://127.0.0.1:0 when --connect is ipc (every worker is on this machine).", valueName: "address"))
        var peerBind: String?

        @Option(help: "This worker's name, unique in the run (default: host-pid).")
        var name: String?

        @Option(help: "Seconds to wait for the coordinator before giving up (until it sets its own heartbeat timeout).")
        var timeout: Double = 60

        @Option(help: "Threads computing this worker's shards (the result is the same for any number).")
        var threads: Int = 1

        @Option(name: .customLong("expect-shape"), help: ArgumentHelp("Refuse to join unless the model has these layer sizes, e.g. 784,128,10.", valueName: "sizes"))
        var expectShape: String = ""

        @Option(name: .customLong("curve-secret"), help: ArgumentHelp("This worker's CURVE secret key file (needs --curve-server-key).", valueName: "file"))
        var curveSecret: String?

        @Option(name: .customLong("curve-server-key"), help: ArgumentHelp("The coordinator's CURVE public key file.", valueName: "file"))
        var curveServerKey: String?

        @Option(name: .customLong("token-file"), help: ArgumentHelp("A file holding the run's join token (the coordinator's --token-file).", valueName: "file"))
        var tokenFile: String?

        @Option(help: ArgumentHelp("The run's join token, as the coordinator printed it (from DIGITS_TOKEN, say). On a command line, other users of this machine can read it in ps: prefer --token-file or DIGITS_TOKEN.", valueName: "token"))
        var token: String?

        @Flag(help: "Connect without any credential or encryption, to a coordinator started with --insecure.")
        var insecure = false

        @Flag(help: "Print only errors.")
        var quiet = false

        @Option(name: .customLong("test-clock-skew"), help: ArgumentHelp("Report timeline times this many seconds off (tests of the clock alignment).", visibility: .hidden))
        var testClockSkew: Double = 0

        @Option(name: .customLong("test-delay"), help: ArgumentHelp("Spend this many more seconds on every step's compute (tests of the straggler metrics).", visibility: .hidden))
        var testDelay: Double = 0

        func validate() throws {
            if (curveSecret == nil) != (curveServerKey == nil) {
                throw ValidationError("--curve-secret and --curve-server-key go together: this worker's secret key, and the coordinator's public key")
            }
            let credentials = [curveSecret != nil, tokenFile != nil, token != nil, insecure].filter { $0 }.count
            if credentials == 0 {
                throw ValidationError("a worker needs a credential: --token-file FILE or DIGITS_TOKEN (the join token the coordinator printed or wrote), or --curve-secret and --curve-server-key; or --insecure if the coordinator runs with --insecure")
            }
            if credentials > 1 { throw ValidationError("choose one of --token-file, --token, CURVE keys (--curve-secret) and --insecure") }
            if let token, JoinToken(text: token) == nil { throw ValidationError("--token is not a join token (\(JoinToken.prefix) and 40 characters, as the coordinator prints)") }
            if threads < 1 { throw ValidationError("--threads must be at least 1") }
            if !(timeout > 0) { throw ValidationError("--timeout must be a positive number of seconds") }
            if let name, name.isEmpty || name.utf8.count > 255 { throw ValidationError("--name must be 1 to 255 bytes") }
        }

        func configuration(_ workerName: String) -> WorkerRunner.Configuration {
            var c = WorkerRunner.Configuration(name: workerName, coreType: BLAS.coreType, expectedShape: expectShape, timeout: timeout, threads: threads)
            c.clockSkew = testClockSkew
            c.computeDelay = max(0, testDelay)
            return c
        }

        func run() throws {
            let workerName = name ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())"
            let log = Logger(prefix: "worker \(workerName): ", quiet: quiet)
            BLAS.threads = 1
            var curve: WorkerCurve?
            if let curveSecret, let curveServerKey {
                curve = WorkerCurve(keyPair: try CurveKeyPair(secretKey: KeyFile.read(curveSecret)), coordinatorKey: try KeyFile.read(curveServerKey))
            } else if let token {
                curve = try JoinToken(text: token)!.workerCurve()
            } else if let tokenFile {
                curve = try TokenFile.read(tokenFile).workerCurve()
            }
            let transport = try ZeroMQWorkerTransport(connect: connect, curve: curve,
                                                      peerBind: peerBind ?? (connect.hasPrefix("ipc://") ? "tcp://127.0.0.1:0" : "tcp://*:0"))
            let runner = WorkerRunner(transport: transport,
                                      configuration: configuration(workerName),
                                      log: { log($0) })
            Interrupt.install()
            runner.shouldStop = { Interrupt.requested }
            log("connecting to \(connect)")
            let ending: WorkerRunner.Ending
            do {
                ending = try runner.run()
            } catch let error as TrainingError {
                throw CLIError("worker \(workerName): \(error.description)")
            }
            switch ending {
            case .shutdown(let reason):
                if reason.hasPrefix("refused") || reason.hasPrefix("dropped") {
                    throw CLIError("worker \(workerName): the coordinator \(reason)")
                }
                log("\(reason); computed \(runner.stepsComputed) steps")
            }
        }
    }
}
