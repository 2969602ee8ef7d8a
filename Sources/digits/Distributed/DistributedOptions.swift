import ArgumentParser
import DataParallel
import Foundation
import ZeroMQ

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

    @Option(name: .customLong("curve-secret"), help: ArgumentHelp("The coordinator's CURVE secret key file: encrypt all traffic and admit only workers listed in --allow-keys.", valueName: "file"))
    var curveSecret: String?

    @Option(name: .customLong("allow-keys"), help: ArgumentHelp("A directory of worker public keys (*.pub) to admit, with --curve-secret.", valueName: "dir"))
    var allowKeys: String?

    @Flag(name: .customLong("allow-mixed-kernels"), help: "Admit workers whose OpenBLAS core type differs from the coordinator's (results are then no longer bit-exact).")
    var allowMixedKernels = false

    func validate() throws {
        if (curveSecret == nil) != (allowKeys == nil) {
            throw ValidationError("--curve-secret and --allow-keys go together: the coordinator's secret key, and the workers' public keys")
        }
        if workers < 1 { throw ValidationError("--workers must be at least 1") }
        if !(joinTimeout > 0) { throw ValidationError("--join-timeout must be a positive number of seconds") }
        if !(heartbeatInterval > 0) || !(heartbeatTimeout > heartbeatInterval) {
            throw ValidationError("--heartbeat-timeout (\(heartbeatTimeout)) must be longer than --heartbeat-interval (\(heartbeatInterval)), both positive")
        }
    }

    /// The CURVE settings, read from the key files.
    func curve() throws -> CoordinatorCurve? {
        guard let curveSecret, let allowKeys else { return nil }
        return CoordinatorCurve(secretKey: try KeyFile.read(curveSecret), allowedWorkers: try KeyFile.readAll(in: allowKeys))
    }

    func configuration(coreType: String) -> CoordinatorConfiguration {
        CoordinatorConfiguration(workers: workers, joinTimeout: joinTimeout, heartbeatInterval: heartbeatInterval,
                                 heartbeatTimeout: heartbeatTimeout, coreType: coreType, allowMixedKernels: allowMixedKernels,
                                 runID: UInt64(UInt32(truncatingIfNeeded: getpid())) << 32 | UInt64(UInt32(truncatingIfNeeded: time(nil))))
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
