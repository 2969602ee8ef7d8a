import Foundation
import XCTest

/// Faults injected into real processes: killed, stopped and late workers, a killed
/// coordinator resumed from its checkpoint, garbage on a worker's peer socket, and CURVE
/// refusals. In each, the final weights must be the bytes of an undisturbed `digits train`
/// (bitwise identity is the property). They run on the default exchange (sliced), and
/// `StarFaultToolTests` runs them again on the star.
class FaultToolTests: XCTestCase {
    /// Flags that choose the exchange (none: the default).
    var exchange: [String] { [] }

    /// 6,000 samples in 3 shards, 2 epochs of 63 steps: long enough to disturb mid-run.
    static let flags = ["--limit", "6000", "--batch", "96", "--micro-batch", "32", "--epochs", "2", "--layers", "32",
                        "--seed", "23", "--optimizer", "adam", "--lr", "0.002"]
    nonisolated(unsafe) static var reference: [UInt8]?

    var directory: URL!
    /// ipc paths are limited to about 100 bytes, so the socket lives in a short path of its own.
    var address = ""

    override func setUpWithError() throws {
        directory = try Tool.temporaryDirectory(name)
        address = "ipc:///tmp/digits-\(UUID().uuidString.prefix(8)).ipc"
        let made = try Tool.run(["keys", "token", "--out", token])
        XCTAssertEqual(made.status, 0, made.stderr)
        if Self.reference == nil {
            let path = directory.appendingPathComponent("reference.safetensors").path
            let run = try Tool.run(["train", "--out", path, "--quiet"] + Self.flags)
            XCTAssertEqual(run.status, 0, run.stderr)
            Self.reference = try Tool.weightBytes(path)
        }
    }

    var checkpoint: String { directory.appendingPathComponent("run.checkpoint").path }
    /// The run's join token, written before anything starts (`digits keys token`).
    var token: String { directory.appendingPathComponent("run.token").path }
    var model: String { directory.appendingPathComponent("model.safetensors").path }

    func startCoordinator(workers: Int, extra: [String] = [], name: String = "coordinator") throws -> Process {
        try Tool.start(["coordinator", "--bind", address, "--token-file", token, "--workers", String(workers), "--heartbeat-interval", "0.1",
                        "--heartbeat-timeout", "1", "--join-timeout", "20", "--checkpoint", checkpoint, "--checkpoint-every", "5",
                        "--out", model] + exchange + extra + Self.flags, logs: directory, name: name)
    }

    func startWorker(_ name: String, extra: [String] = []) throws -> Process {
        try Tool.start(["worker", "--connect", address, "--token-file", token, "--name", name, "--timeout", "20"] + extra, logs: directory, name: name)
    }

    /// Waits until `condition` holds, failing after `seconds`.
    func wait(_ what: String, seconds: Double = 30, _ condition: () -> Bool) {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while !condition() {
            if Date() > deadline { return XCTFail("timed out waiting for \(what)") }
            usleep(10_000)
        }
    }

    func finish(_ coordinator: Process, workers: [Process], file: StaticString = #filePath, line: UInt = #line) throws {
        coordinator.waitUntilExit()
        for w in workers { w.waitUntilExit() }
        XCTAssertEqual(coordinator.terminationStatus, 0, Tool.log(directory, "coordinator"), file: file, line: line)
        XCTAssertEqual(try Tool.weightBytes(model), Self.reference, "the weights must be those of an undisturbed run", file: file, line: line)
    }

    func testKill9_OneOfThreeWorkersMidEpoch_DroppedAndTheResultUnchanged() throws {
        let coordinator = try startCoordinator(workers: 3)
        let workers = try ["w1", "w2", "w3"].map { try startWorker($0) }
        wait("the first checkpoint") { FileManager.default.fileExists(atPath: checkpoint) }
        kill(workers[1].processIdentifier, SIGKILL)
        try finish(coordinator, workers: workers)
        // Detected by the silence (heartbeat timeout) or at once, when the send to a closed peer fails.
        XCTAssertTrue(Tool.log(directory, "coordinator").contains("dropped worker w2: "), Tool.log(directory, "coordinator"))
    }

    func testSigstop_WorkerDroppedThenContinued_NeverCorruptsAStep() throws {
        let coordinator = try startCoordinator(workers: 3)
        let workers = try ["w1", "w2", "w3"].map { try startWorker($0) }
        wait("the first checkpoint") { FileManager.default.fileExists(atPath: checkpoint) }
        kill(workers[2].processIdentifier, SIGSTOP)
        wait("w3 to be dropped") { Tool.log(directory, "coordinator").contains("dropped worker w3") }
        kill(workers[2].processIdentifier, SIGCONT)
        // Foundation's Process may report a stopped child as ended: wait for the log instead.
        wait("w3 to leave") { Tool.log(directory, "w3").contains("Error:") }
        try finish(coordinator, workers: workers)
        XCTAssertNotEqual(workers[2].terminationStatus, 0, "the stopped worker is told it was dropped")
        XCTAssertTrue(Tool.log(directory, "w3").contains("dropped"), Tool.log(directory, "w3"))
    }

    func testLateJoin_ThirdWorkerMidway_GetsShardsAndTheResultUnchanged() throws {
        let coordinator = try startCoordinator(workers: 2)
        var workers = try ["w1", "w2"].map { try startWorker($0) }
        wait("the first checkpoint") { FileManager.default.fileExists(atPath: checkpoint) }
        workers.append(try startWorker("w3"))
        try finish(coordinator, workers: workers)
        XCTAssertTrue(Tool.log(directory, "coordinator").contains("worker w3 joined (3 active); its gradients travel over ZeroMQ"), Tool.log(directory, "coordinator"))
        XCTAssertEqual(workers[2].terminationStatus, 0)
    }

    func testKill9_Coordinator_WorkersExit_AndResumeGivesTheSameWeights() throws {
        let first = try startCoordinator(workers: 2, name: "first")
        let workers = try ["w1", "w2"].map { try startWorker($0) }
        wait("the first checkpoint") { FileManager.default.fileExists(atPath: checkpoint) }
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        for w in workers { w.waitUntilExit() }
        for (w, name) in zip(workers, ["w1", "w2"]) {
            XCTAssertNotEqual(w.terminationStatus, 0)
            XCTAssertTrue(Tool.log(directory, name).contains("the coordinator has been silent"), Tool.log(directory, name))
        }
        let resumed = try startCoordinator(workers: 2, extra: ["--resume", checkpoint])
        let again = try ["w4", "w5"].map { try startWorker($0) }
        try finish(resumed, workers: again)
        XCTAssertTrue(Tool.log(directory, "coordinator").contains("resuming from"), Tool.log(directory, "coordinator"))
    }

    /// Bytes that are not ZeroMQ, sent to a worker's peer port mid-run by a stranger: the
    /// handshake fails, nothing reaches the worker's exchange, the weights stay the same.
    func testGarbageOnAWorkersPeerPort_ChangesNothing() throws {
        let port = try Tool.freeLoopbackPort()
        let coordinator = try startCoordinator(workers: 3)
        let workers = try [("w1", ["--peer-bind", "tcp://127.0.0.1:\(port)"]), ("w2", []), ("w3", [])].map { try startWorker($0.0, extra: $0.1) }
        wait("the first checkpoint") { FileManager.default.fileExists(atPath: checkpoint) }
        var rng = SystemRandomNumberGenerator()
        for round in 0..<20 {
            let junk = (0..<(64 + round * 97)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            // A ZeroMQ greeting's signature, then junk: gets further into the handshake.
            try Tool.sendRaw(round.isMultiple(of: 2) ? junk : [0xFF] + [UInt8](repeating: 0, count: 8) + [0x7F, 3, 1] + junk, toLoopbackPort: port)
        }
        try finish(coordinator, workers: workers)
        XCTAssertFalse(Tool.log(directory, "coordinator").contains("dropped worker"), Tool.log(directory, "coordinator"))
    }

    func testCurve_OnlyListedWorkersJoin_AndRefusalsAreLogged() throws {
        let keys = directory.appendingPathComponent("keys")
        let allowed = keys.appendingPathComponent("allowed")
        try FileManager.default.createDirectory(at: allowed, withIntermediateDirectories: true)
        for prefix in [keys.appendingPathComponent("coordinator"), allowed.appendingPathComponent("good"), keys.appendingPathComponent("stranger")] {
            XCTAssertEqual(try Tool.run(["keys", "generate", "--out", prefix.path]).status, 0)
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: keys.appendingPathComponent("coordinator.key").path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600, "secret keys are private")
        let serverKey = keys.appendingPathComponent("coordinator.pub").path
        let coordinator = try Tool.start(["coordinator", "--bind", "tcp://127.0.0.1:*", "--workers", "1", "--join-timeout", "20",
                                          "--curve-secret", keys.appendingPathComponent("coordinator.key").path, "--allow-keys", allowed.path,
                                          "--out", model, "--epochs", "1", "--limit", "1000", "--layers", "8"],
                                         logs: directory, name: "coordinator")
        defer { coordinator.terminate() }
        var endpoint = ""
        wait("the coordinator to listen") {
            guard let line = Tool.log(directory, "coordinator").split(separator: "\n").first(where: { $0.contains("listening on ") }) else { return false }
            endpoint = String(line.split(separator: " ")[3].dropLast())
            return true
        }
        let stranger = try Tool.run(["worker", "--connect", endpoint, "--name", "stranger", "--timeout", "1.5",
                                     "--curve-secret", keys.appendingPathComponent("stranger.key").path, "--curve-server-key", serverKey])
        XCTAssertNotEqual(stranger.status, 0)
        XCTAssertTrue(stranger.stderr.contains("no answer from the coordinator"), stranger.stderr)
        let plain = try Tool.run(["worker", "--connect", endpoint, "--name", "plain", "--timeout", "1.5", "--insecure"])
        XCTAssertNotEqual(plain.status, 0, "a worker without keys cannot join a CURVE coordinator")
        let good = try Tool.run(["worker", "--connect", endpoint, "--name", "good", "--timeout", "20",
                                 "--curve-secret", allowed.appendingPathComponent("good.key").path, "--curve-server-key", serverKey])
        XCTAssertEqual(good.status, 0, good.stderr)
        coordinator.waitUntilExit()
        let log = Tool.log(directory, "coordinator")
        XCTAssertEqual(coordinator.terminationStatus, 0, log)
        XCTAssertTrue(log.contains("refused CURVE client") && log.contains("unknown key"), log)
        XCTAssertTrue(log.contains("it failed the CURVE handshake"), log)
        XCTAssertTrue(log.contains("worker good joined"), log)
        XCTAssertFalse(log.contains("stranger joined") || log.contains("plain joined"), log)
    }
}

/// The same faults on the star exchange.
final class StarFaultToolTests: FaultToolTests {
    override var exchange: [String] { ["--exchange", "star"] }

    // (A class needs a test of its own for the test discovery to run the inherited ones.)
    func testStar_TheLogSaysWhichExchangeRuns() throws {
        let coordinator = try startCoordinator(workers: 1)
        let worker = try startWorker("w1")
        try finish(coordinator, workers: [worker])
        XCTAssertTrue(Tool.log(directory, "coordinator").contains("(star exchange)"), Tool.log(directory, "coordinator"))
    }
}
