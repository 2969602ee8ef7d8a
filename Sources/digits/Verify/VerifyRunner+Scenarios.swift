import DataParallel
import Foundation

/// The configurations that disturb a run on purpose, and the one whose workers run elsewhere.
extension VerifyRunner {
    /// `coordinator` with 3 `worker`s over ipc (or tcp) with a join token. At the first
    /// checkpoint (step --checkpoint-every) the coordinator is paused (SIGSTOP) for at most
    /// 1.5 s while worker-2 is killed with SIGKILL and worker-4 is started, then continued:
    /// however fast the run, worker-4's hello is then waiting, and it joins between two steps
    /// while worker-2's shards move to the others. The pause is shorter than the heartbeat
    /// timeout (3 s), so nobody else is dropped for it.
    func runFaults(_ flags: [String]) throws -> [String] {
        let token = path("faults.token"), checkpoint = path("faults.checkpoint")
        try? FileManager.default.removeItem(atPath: checkpoint)
        try TokenFile.write(JoinToken.generate(), to: token)
        let bind = setup.transport == "ipc" ? "ipc://\(setup.sockets)/faults.ipc" : "tcp://127.0.0.1:*"
        let coordinator = try start("faults-coordinator", [
            "coordinator", "--bind", bind, "--token-file", token, "--workers", "3", "--heartbeat-interval", "0.1",
            "--heartbeat-timeout", "3", "--checkpoint", checkpoint, "--checkpoint-every", String(setup.checkpointEvery),
        ] + flags)
        let connect = try endpoint(of: coordinator)
        let workers = try (1...3).map { try startWorker($0, prefix: "faults", connect: connect, token: token) }
        try waitFor("the first checkpoint", watching: [coordinator]) { FileManager.default.fileExists(atPath: checkpoint) }
        coordinator.signal(SIGSTOP)
        workers[1].signal(SIGKILL)
        let late = try startWorker(4, prefix: "faults", connect: connect, token: token)
        try? waitFor("worker-4 to connect", seconds: 1.5, watching: [late]) { log(late).contains("connecting to") }
        coordinator.signal(SIGCONT)
        try finish(coordinator)
        for worker in [workers[0], workers[2], late] where worker.wait(upTo: 10) != 0 { throw failure(worker) }
        let events = log(coordinator).split(separator: "\n").map { $0.replacingOccurrences(of: "coordinator: ", with: "") }
        guard let dropped = events.first(where: { $0.contains("dropped worker worker-2") }) else {
            throw RunFailure("the run ended before worker-2 was killed: train longer (--limit, --epochs)")
        }
        guard let joined = events.first(where: { $0.contains("worker worker-4 joined") }) else {
            throw RunFailure("the run ended before worker-4 could join: train longer (--limit, --epochs)")
        }
        return [dropped, joined]
    }

    /// `train` with a checkpoint, stopped by SIGTERM as soon as its first epoch is in the
    /// metrics file, then `train --resume` from the checkpoint it wrote on the way out. The
    /// first part also evaluates the test set 16 times an epoch (`--eval-every`, which leaves
    /// the weights alone), so that its second epoch lasts long enough for the signal to come
    /// mid-run however fast the machine; the checkpoint says where it stopped.
    func runStopAndResume(outputs: [String], flags: [String]) throws -> [String] {
        let checkpoint = path("resume.checkpoint")
        try? FileManager.default.removeItem(atPath: checkpoint)
        let metrics = outputs[outputs.firstIndex(of: "--metrics")! + 1]
        let first = try start("resume-first", ["train", "--threads", "1", "--checkpoint", checkpoint,
                                               "--checkpoint-every", String(setup.checkpointEvery),
                                               "--eval-every", String(max(1, setup.plan.stepsPerEpoch / 16)), "--eval-log", path("resume-first.evaluations.jsonl")] + outputs + flags)
        try waitFor("the first epoch", seconds: 600, watching: [first]) {
            ((try? String(contentsOfFile: metrics, encoding: .utf8)) ?? "").contains("\n")
        }
        first.signal(SIGTERM)
        let status = first.wait(upTo: 60)
        guard status == 130 || status == 0 else { throw failure(first) }
        let stopped: Int
        do {
            stopped = try Checkpoint(contentsOf: checkpoint).nextStep
        } catch {
            throw RunFailure("the stopped run left no readable checkpoint: \(error)")
        }
        guard stopped < setup.plan.totalSteps else {
            throw RunFailure("the run ended before SIGTERM could stop it: train longer (--limit, --epochs)")
        }
        try finish(start("resume-second", ["train", "--threads", "1", "--resume", checkpoint, "--checkpoint", checkpoint] + outputs + flags))
        return ["stopped by SIGTERM at step \(stopped) of \(setup.plan.totalSteps), then resumed from its checkpoint"]
    }

    /// A coordinator bound to `bind`; the user starts its workers elsewhere, with the command
    /// printed here and the run's join token (--token-file, or one made in the run directory).
    func runRemote(bind: String, workers: Int, _ flags: [String]) throws {
        let token = setup.tokenFile ?? path("remote.token")
        let coordinator = try start("remote-coordinator", [
            "coordinator", "--bind", bind, "--token-file", token, "--workers", String(workers),
            "--join-timeout", String(setup.joinTimeout),
        ] + flags)
        let connect = Self.reachable(try endpoint(of: coordinator))
        say("waiting \(Int(setup.joinTimeout)) s for \(workers) worker(s); start them where they should run, with a copy of \(token) (the run's join token: whoever holds it may join):")
        say("  digits worker --connect \(connect) --token-file \(token)")
        try finish(coordinator)
    }

    /// An address workers elsewhere can connect to: a wildcard host becomes this host's name.
    static func reachable(_ endpoint: String) -> String {
        for wildcard in ["tcp://0.0.0.0:", "tcp://*:", "tcp://[::]:"] where endpoint.hasPrefix(wildcard) {
            return "tcp://\(ProcessInfo.processInfo.hostName):" + endpoint.dropFirst(wildcard.count)
        }
        return endpoint
    }
}
