import ArgumentParser
import DataParallel
import Foundation
import ZeroMQ

extension ExchangeKind: ExpressibleByArgument {}

/// Flags of the coordinator side, shared by `coordinator` and `launch`.
struct CoordinatorOptions: ParsableArguments {
    @Option(help: "Workers to wait for before training starts.")
    var workers: Int = 2

    @Option(name: .customLong("join-timeout"), help: "Seconds to wait for the workers to join.")
    var joinTimeout: Double = 60

    @Option(name: .customLong("heartbeat-interval"), help: "Seconds between heartbeats.")
    var heartbeatInterval: Double = 0.5

    @Option(name: .customLong("heartbeat-timeout"), help: "Seconds of silence after which a worker is dropped and its shards move to the others.")
    var heartbeatTimeout: Double = 5

    @Option(name: .customLong("max-workers"), help: ArgumentHelp("The most workers in the run at once; more hellos are refused (default: 4 × --workers).", valueName: "n"))
    var maxWorkers: Int?

    @Option(help: ArgumentHelp("How the gradients travel: sliced (workers own slices of the parameters, reduce-scatter and all-gather them among themselves; the coordinator's link carries about M bytes a step whatever the number of workers, M being the parameters' size) or star (the coordinator sends every worker the parameters and receives every worker's sums: about 2·N·M a step). Both give the same weights, bit for bit. Default sliced: its coordinator's link does not grow with the workers, and across links shaped to 1 Gbit/s it trained 2.2–2.8× as fast as the star with 1 to 4 workers (about even at 10 Gbit/s; Scripts/bench-scale, README); on one machine the two are close. Workers need their --peer-bind port open to each other.", valueName: "star|sliced"))
    var exchange: ExchangeKind = .sliced

    @Option(help: ArgumentHelp("Serve a live view of the run at this address (default \(Dashboard.defaultAddress), loopback; port 0: any free one, printed): loss and accuracy per epoch, samples/s, each worker's state (joining, active, dropped and why) and step times, and the last step's timeline; and GET /metrics in the Prometheus text format. The value may be left out. On an address other than loopback, anyone who reaches it sees the run's figures (never its data or weights).", valueName: "host:port"))
    var dashboard: String?

    @Flag(name: .customLong("allow-mixed-kernels"), help: "Admit workers whose OpenBLAS core type differs from the coordinator's (results are then no longer bit-exact).")
    var allowMixedKernels = false

    func validate() throws {
        if workers < 1 || workers > 4096 { throw ValidationError("--workers must be 1…4096, not \(workers)") }
        if let maxWorkers, !(workers...16_384).contains(maxWorkers) {
            throw ValidationError("--max-workers must be at least --workers (\(workers)) and at most 16384, not \(maxWorkers)")
        }
        if let dashboard { _ = try Dashboard.parse(dashboard) }
        if !(joinTimeout > 0) { throw ValidationError("--join-timeout must be a positive number of seconds") }
        if !(heartbeatInterval > 0) || !(heartbeatTimeout > heartbeatInterval) {
            throw ValidationError("--heartbeat-timeout (\(heartbeatTimeout)) must be longer than --heartbeat-interval (\(heartbeatInterval)), both positive")
        }
    }

    func configuration(coreType: String) -> CoordinatorConfiguration {
        CoordinatorConfiguration(workers: workers, joinTimeout: joinTimeout, heartbeatInterval: heartbeatInterval,
                                 heartbeatTimeout: heartbeatTimeout, coreType: coreType, allowMixedKernels: allowMixedKernels,
                                 runID: UInt64(UInt32(truncatingIfNeeded: getpid())) << 32 | UInt64(UInt32(truncatingIfNeeded: time(nil))),
                                 maximumWorkers: maxWorkers, exchange: exchange)
    }
}

/// Who may join a coordinator's run: `coordinator` only (`launch` makes its own credential).
struct CredentialOptions: ParsableArguments {
    @Option(name: .customLong("curve-secret"), help: ArgumentHelp("The coordinator's CURVE secret key file: encrypt all traffic and admit only workers listed in --allow-keys.", valueName: "file"))
    var curveSecret: String?

    @Option(name: .customLong("allow-keys"), help: ArgumentHelp("A directory of worker public keys (*.pub) to admit, with --curve-secret.", valueName: "dir"))
    var allowKeys: String?

    @Option(name: .customLong("token-file"), help: ArgumentHelp("The run's join token: read from this file if it exists, else made and written there (mode 0600) for the workers' --token-file. Without this, --curve-secret or --insecure, a new token is made and printed.", valueName: "file"))
    var tokenFile: String?

    @Option(help: ArgumentHelp("The run's join token (from DIGITS_TOKEN, say). On a command line, other users of this machine can read it in ps: prefer --token-file or DIGITS_TOKEN.", valueName: "token"))
    var token: String?

    @Flag(help: "Admit workers without any credential or encryption: anyone who can reach --bind may join, receive the training samples and the weights, and send gradients that corrupt the model. For a network only you can reach.")
    var insecure = false

    func validate() throws {
        if (curveSecret == nil) != (allowKeys == nil) {
            throw ValidationError("--curve-secret and --allow-keys go together: the coordinator's secret key, and the workers' public keys")
        }
        let credentials = [curveSecret != nil, tokenFile != nil || token != nil, insecure].filter { $0 }.count
        if credentials > 1 { throw ValidationError("choose one of CURVE keys (--curve-secret), a join token (--token-file, --token) and --insecure") }
        if tokenFile != nil && token != nil { throw ValidationError("--token-file and --token both give the token: pass one") }
        if let token, JoinToken(text: token) == nil { throw ValidationError("--token is not a join token (\(JoinToken.prefix) and 40 characters, as the coordinator prints)") }
    }

    /// Who may join: the CURVE settings of the run, or nil with --insecure. A token is read
    /// from --token or --token-file, or made (and written to --token-file, or printed).
    func credential(log: Logger) throws -> CoordinatorCurve? {
        if insecure { return nil }
        if let curveSecret, let allowKeys {
            return CoordinatorCurve(secretKey: try KeyFile.read(curveSecret), allowedWorkers: try KeyFile.readAll(in: allowKeys))
        }
        if let token { return try JoinToken(text: token)!.coordinatorCurve() }
        if let tokenFile, FileManager.default.fileExists(atPath: tokenFile) { return try TokenFile.read(tokenFile).coordinatorCurve() }
        let made = JoinToken.generate()
        if let tokenFile {
            try TokenFile.write(made, to: tokenFile)
            log("made a join token in \(tokenFile): workers join with --token-file \(tokenFile) (or DIGITS_TOKEN set to its contents)")
        } else {
            log("join token (keep it secret; whoever holds it may join): \(made.text)")
            log("workers join with DIGITS_TOKEN=<that token> digits worker --connect ADDRESS, or --token-file FILE holding it")
        }
        return try made.coordinatorCurve()
    }
}

/// Writes log lines to standard error, with a prefix, unless quiet.
struct Logger: Sendable {
    let prefix: String
    let quiet: Bool

    func callAsFunction(_ line: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data("\(prefix)\(line)\n".utf8))
    }
}
