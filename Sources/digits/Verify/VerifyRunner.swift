import DataParallel
import Foundation

/// What running one configuration gave: the model it wrote, or why it wrote none.
struct RunOutcome {
    var model: String?
    var seconds = 0.0
    /// Training samples per second of training time, over all epochs (from its --metrics file).
    var samplesPerSecond: Double?
    var failure: String?
    /// What happened on the way (the step a run was stopped at, who was dropped), for the JSON.
    var notes: [String] = []
}

/// A configuration that could not run to the end, with a reason for its row.
struct RunFailure: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Runs configurations as real processes of this executable, with the same training flags,
/// each writing its model, metrics and log into `directory` (named after the configuration).
final class VerifyRunner {
    struct Setup {
        var executable: String
        /// Models, metrics and logs.
        var directory: String
        /// A short private directory for ipc sockets (their paths are limited to ~100 bytes).
        var sockets: String
        /// The training flags every run gets, and the same with the seed + 1 for `perturb`.
        var flags: [String]
        var perturbedFlags: [String]
        var perturb: String?
        var environment: [String: String]
        var transport: String
        var plan: Plan
        var checkpointEvery: Int
        var tokenFile: String?
        var joinTimeout: Double
    }

    let setup: Setup
    let say: (String) -> Void
    /// The children of the configuration running now.
    private var children: [ChildProcess] = []

    init(_ setup: Setup, say: @escaping (String) -> Void) {
        self.setup = setup
        self.say = say
    }

    func path(_ name: String) -> String { (setup.directory as NSString).appendingPathComponent(name) }

    func run(_ configuration: VerifyConfiguration) -> RunOutcome {
        let model = path(configuration.file("safetensors")), metrics = path(configuration.file("metrics.jsonl"))
        for file in [model, metrics] { try? FileManager.default.removeItem(atPath: file) }
        let flags = configuration.id == setup.perturb ? setup.perturbedFlags : setup.flags
        let outputs = ["--out", model, "--metrics", metrics]
        var outcome = RunOutcome()
        let began = Clock.now()
        defer { stopChildren() }
        do {
            switch configuration {
            case .reference:
                try finish(start("reference", ["train", "--threads", "1"] + outputs + flags))
            case .threads(let t):
                try finish(start(configuration.id, ["train", "--threads", String(t)] + outputs + flags))
            case .launch(let n, let exchange):
                try finish(start(configuration.id, ["launch", "--workers", String(n), "--exchange", exchange.rawValue,
                                                    "--transport", setup.transport] + outputs + flags))
            case .faults:
                outcome.notes = try runFaults(outputs + flags)
            case .stopAndResume:
                outcome.notes = try runStopAndResume(outputs: outputs, flags: flags)
            case .remote(let bind, let n):
                try runRemote(bind: bind, workers: n, outputs + flags)
            }
            outcome.model = model
        } catch let failure as RunFailure {
            outcome.failure = failure.reason
        } catch {
            outcome.failure = "\(error)"
        }
        outcome.seconds = Clock.now() - began
        outcome.samplesPerSecond = Self.samplesPerSecond(metrics)
        return outcome
    }

    // MARK: Processes

    /// Starts `digits arguments…` with its output in `name.log`.
    func start(_ name: String, _ arguments: [String]) throws -> ChildProcess {
        let log = path("\(name).log")
        try? FileManager.default.removeItem(atPath: log)
        let child = try ChildProcess(name: name, executable: setup.executable, arguments: arguments,
                                     environment: setup.environment, output: log)
        children.append(child)
        return child
    }

    func log(_ child: ChildProcess) -> String {
        (try? String(contentsOfFile: path("\(child.name).log"), encoding: .utf8)) ?? ""
    }

    /// Waits for `child` to end; a non-zero status fails the configuration with its last error.
    func finish(_ child: ChildProcess) throws {
        try waitFor("\(child.name) to finish", seconds: .infinity, watching: []) { !child.isRunning }
        guard child.exitStatus == 0 else { throw failure(child) }
    }

    func failure(_ child: ChildProcess) -> RunFailure {
        let lines = log(child).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let last = lines.last(where: { $0.hasPrefix("Error:") }) ?? lines.last(where: { !$0.isEmpty }) ?? "no output"
        return RunFailure("\(child.name) exited with status \(child.exitStatus ?? -1): \(last.prefix(300))")
    }

    /// Polls `condition` every 2 ms; fails when one of `watching` ends first, at the timeout,
    /// or when verify itself is interrupted.
    func waitFor(_ what: String, seconds: Double = 60, watching: [ChildProcess], _ condition: () -> Bool) throws {
        let deadline = Clock.now() + seconds
        while !condition() {
            if Interrupt.requested { throw RunFailure("interrupted") }
            if let ended = watching.first(where: { !$0.isRunning }) {
                throw ended.exitStatus == 0 ? RunFailure("\(ended.name) ended before \(what)") : failure(ended)
            }
            if Clock.now() > deadline { throw RunFailure(String(format: "timed out after %.0f s waiting for %@", seconds, what)) }
            usleep(2_000)
        }
    }

    /// The address a coordinator reports it listens on (with the port it got for tcp://HOST:*).
    func endpoint(of coordinator: ChildProcess) throws -> String {
        var endpoint: String?
        try waitFor("\(coordinator.name) to listen", watching: [coordinator]) {
            guard let line = log(coordinator).split(separator: "\n").first(where: { $0.contains("listening on ") }),
                  let range = line.range(of: "listening on ") else { return false }
            endpoint = String(line[range.upperBound...].prefix { $0 != ";" })
            return true
        }
        return endpoint!
    }

    func startWorker(_ number: Int, prefix: String, connect: String, token: String) throws -> ChildProcess {
        try start("\(prefix)-worker-\(number)", ["worker", "--connect", connect, "--token-file", token,
                                                 "--name", "worker-\(number)", "--timeout", "30"])
    }

    /// Stops what is left of a configuration: SIGCONT (a stopped process cannot act on SIGTERM), SIGTERM, then SIGKILL after 3 s.
    func stopChildren() {
        for child in children where child.isRunning {
            child.signal(SIGCONT)
            child.signal(SIGTERM)
        }
        for child in children { child.wait(upTo: 3) }
        children = []
    }

    static func samplesPerSecond(_ metrics: String) -> Double? {
        guard let text = try? String(contentsOfFile: metrics, encoding: .utf8) else { return nil }
        let epochs = text.split(separator: "\n").compactMap { try? JSONDecoder().decode(EpochMetrics.self, from: Data($0.utf8)) }
        let seconds = epochs.reduce(0) { $0 + $1.seconds }
        guard seconds > 0 else { return nil }
        return epochs.reduce(0) { $0 + $1.samplesPerSecond * $1.seconds } / seconds
    }
}
