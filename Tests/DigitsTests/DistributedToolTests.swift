import Foundation
import XCTest

/// Coordinator, workers and launch as real processes over ZeroMQ.
final class DistributedToolTests: XCTestCase {
    /// 3,001 samples, batch 96 of micro-batches 32: 3 shards of 1,000, 1,000 and 1,001
    /// samples, and a last step per epoch that is partial (1,001 = 31·32 + 9).
    static let flags = ["--limit", "3001", "--batch", "96", "--micro-batch", "32", "--epochs", "2", "--layers", "32", "--seed", "17", "--quiet"]

    /// The headline guarantee, checked byte for byte (bitwise identity is the property under
    /// test): `train` and `launch` with 1–4 worker processes write the same weights.
    func testLaunch_OneToFourWorkers_WriteTheWeightsOfTrain_BitForBit() throws {
        let directory = try Tool.temporaryDirectory()
        let reference = directory.appendingPathComponent("train.safetensors").path
        let trained = try Tool.run(["train", "--out", reference] + Self.flags)
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let expected = try Tool.weightBytes(reference)
        for workers in 1...4 {
            let out = directory.appendingPathComponent("launch\(workers).safetensors").path
            let run = try Tool.run(["launch", "--workers", String(workers), "--out", out] + Self.flags)
            XCTAssertEqual(run.status, 0, "launch --workers \(workers): \(run.stderr)")
            XCTAssertEqual(try Tool.weightBytes(out), expected, "launch --workers \(workers) must write the bytes of train")
        }
        // The same over loopback tcp instead of ipc, with the log saying what carries the gradients.
        let out = directory.appendingPathComponent("launch-tcp.safetensors").path
        let run = try Tool.run(["launch", "--workers", "2", "--transport", "tcp", "--out", out] + Self.flags.filter { $0 != "--quiet" })
        XCTAssertEqual(run.status, 0, "launch --transport tcp: \(run.stderr)")
        XCTAssertEqual(run.stderr.components(separatedBy: "its gradients travel over ZeroMQ").count - 1, 2, run.stderr)
        XCTAssertEqual(try Tool.weightBytes(out), expected, "launch --transport tcp must write the bytes of train")
        // And on the star, over both transports.
        for transport in ["ipc", "tcp"] {
            let star = directory.appendingPathComponent("star-\(transport).safetensors").path
            let run = try Tool.run(["launch", "--workers", "3", "--exchange", "star", "--transport", transport, "--out", star] + Self.flags)
            XCTAssertEqual(run.status, 0, "launch --exchange star --transport \(transport): \(run.stderr)")
            XCTAssertEqual(try Tool.weightBytes(star), expected, "launch --exchange star --transport \(transport) must write the bytes of train")
        }
    }

    /// A peer address that cannot be bound (no such interface, or the port taken) is named,
    /// with the flag to change; an exchange that does not exist is refused before anything runs.
    func testWorker_BadPeerBind_SaysWhichAddressAndWhichFlag() throws {
        let bad = try Tool.run(["worker", "--insecure", "--timeout", "1", "--peer-bind", "tcp://300.1.1.1:5"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("cannot bind the peer socket tcp://300.1.1.1:5") && bad.stderr.contains("--peer-bind"), bad.stderr)
        let port = try Tool.freeLoopbackPort()
        let directory = try Tool.temporaryDirectory()
        let first = try Tool.start(["worker", "--insecure", "--timeout", "5", "--connect", "tcp://127.0.0.1:1", "--peer-bind", "tcp://127.0.0.1:\(port)"],
                                   logs: directory, name: "first")
        defer { first.terminate() }
        usleep(300_000)
        let taken = try Tool.run(["worker", "--insecure", "--timeout", "1", "--peer-bind", "tcp://127.0.0.1:\(port)"])
        XCTAssertNotEqual(taken.status, 0)
        XCTAssertTrue(taken.stderr.contains("cannot bind the peer socket tcp://127.0.0.1:\(port)"), taken.stderr)
        let ring = try Tool.run(["launch", "--exchange", "ring"])
        XCTAssertNotEqual(ring.status, 0)
        XCTAssertTrue(ring.stderr.contains("'ring' is invalid for '--exchange"), ring.stderr)
    }

    func testLaunch_SIGTERM_SavesTheModelStopsTheWorkersAndExits130() throws {
        let directory = try Tool.temporaryDirectory()
        let model = directory.appendingPathComponent("m.safetensors").path
        let checkpoint = directory.appendingPathComponent("run.checkpoint").path
        let process = try Tool.start(["launch", "--workers", "2", "--out", model, "--checkpoint", checkpoint, "--checkpoint-every", "3",
                                      "--limit", "6000", "--batch", "96", "--micro-batch", "32", "--epochs", "200", "--layers", "32"],
                                     logs: directory, name: "launch")
        let deadline = Date(timeIntervalSinceNow: 60)
        while !FileManager.default.fileExists(atPath: checkpoint) && Date() < deadline { usleep(10_000) }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let log = Tool.log(directory, "launch")
        XCTAssertEqual(process.terminationStatus, 130, log)
        let results = Tool.output(directory, "launch")
        XCTAssertTrue(results.contains("saved the model trained so far"), results)
        XCTAssertTrue(FileManager.default.fileExists(atPath: model))
        usleep(300_000)
        XCTAssertEqual(Tool.processes(containing: "digits-launch-\(process.processIdentifier)-"), [], "no worker may outlive launch")
    }

    func testCoordinator_WorkersNeverCome_TimesOutNamingWhatIsMissing() throws {
        let directory = try Tool.temporaryDirectory()
        let run = try Tool.run(["coordinator", "--bind", "ipc:///tmp/digits-\(UUID().uuidString.prefix(8)).ipc", "--insecure", "--workers", "2", "--join-timeout", "1",
                                "--out", directory.appendingPathComponent("m.safetensors").path] + Self.flags)
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("timed out after 1 s waiting for 2 workers: none came, 2 missing"), run.stderr)
    }

    func testLaunch_WorkerCannotStart_ExitsNonZeroWithTheReason() throws {
        let directory = try Tool.temporaryDirectory()
        let run = try Tool.run(["launch", "--workers", "2", "--worker-executable", "/nonexistent/digits",
                                "--out", directory.appendingPathComponent("m.safetensors").path] + Self.flags)
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("cannot start worker-1 (/nonexistent/digits)"), run.stderr)
    }

    func testLaunch_WorkersFailAtStart_ExitsNonZeroAndLeavesNoProcess() throws {
        let directory = try Tool.temporaryDirectory()
        // DIGITS_EXPECT_SHAPE reaches only the workers (launch has no such flag): the
        // coordinator refuses them, they exit with an error, and launch must stop everything.
        let process = try Tool.start(["launch", "--workers", "3", "--out", directory.appendingPathComponent("m.safetensors").path] + Self.flags,
                                     environment: ["DIGITS_EXPECT_SHAPE": "1,2,3"], logs: directory, name: "launch")
        process.waitUntilExit()
        let log = Tool.log(directory, "launch")
        XCTAssertNotEqual(process.terminationStatus, 0)
        XCTAssertTrue(log.contains("exited with status 1 before the run ended"), log)
        XCTAssertEqual(Tool.processes(containing: "digits-launch-\(process.processIdentifier)-"), [], "no worker may outlive launch")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("m.safetensors").path))
    }

    func testWorker_ExpectingAnotherShape_IsRefusedNamingBothSides() throws {
        let directory = try Tool.temporaryDirectory()
        let address = "ipc:///tmp/digits-\(UUID().uuidString.prefix(8)).ipc"
        let token = directory.appendingPathComponent("run.token").path
        XCTAssertEqual(try Tool.run(["keys", "token", "--out", token]).status, 0)
        let coordinator = try Tool.start(["coordinator", "--bind", address, "--token-file", token, "--workers", "1", "--join-timeout", "3",
                                          "--out", directory.appendingPathComponent("m.safetensors").path] + Self.flags,
                                         logs: directory, name: "coordinator")
        defer { coordinator.terminate(); coordinator.waitUntilExit() }
        let worker = try Tool.run(["worker", "--connect", address, "--token-file", token, "--name", "picky", "--expect-shape", "784,99,10", "--timeout", "5"])
        XCTAssertNotEqual(worker.status, 0)
        XCTAssertTrue(worker.stderr.contains("expects a model of shape 784,99,10, the coordinator trains 784,32,10"), worker.stderr)
    }
}
