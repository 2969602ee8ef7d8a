import Foundation
import NeuralNetwork
import XCTest

/// `digits verify` and `digits export-plan`, run as a user runs them. Where verify says two
/// models are the same, the tests check it against the bytes of the files themselves.
final class VerifyToolTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try Tool.temporaryDirectory(name)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The --json report of a verify run.
    func report(_ name: String = "verify.json", file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let data = try XCTUnwrap(FileManager.default.contents(atPath: path(name)), "verify wrote no JSON", file: file, line: line)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], file: file, line: line)
    }

    func rows(_ report: [String: Any]) -> [[String: Any]] { report["rows"] as? [[String: Any]] ?? [] }

    func verdicts(_ report: [String: Any]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: rows(report).map { ($0["id"] as? String ?? "?", $0["verdict"] as? String ?? "?") })
    }

    /// Waits until `condition` holds, failing after `seconds`.
    func wait(_ what: String, seconds: Double = 60, _ condition: () -> Bool) {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while !condition() {
            if Date() > deadline { return XCTFail("timed out waiting for \(what)") }
            usleep(10_000)
        }
    }

    func testVerify_Defaults_EveryRowIdentical_ExitsZero() throws {
        let run = try Tool.run(["verify", "--json", path("verify.json"), "--keep", path("runs")])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        let report = try report()
        let settings = try XCTUnwrap(report["settings"] as? [String: Any])
        XCTAssertEqual(settings["limit"] as? Int, 3000, "verify's defaults, not train's")
        XCTAssertEqual(settings["epochs"] as? Int, 2)
        XCTAssertEqual(settings["batch"] as? Int, 96)
        let ids = ["workers-1", "workers-2", "workers-3", "workers-1-star", "workers-2-star", "workers-3-star", "threads-2"]
        XCTAssertEqual(verdicts(report), Dictionary(uniqueKeysWithValues: [("reference", "reference")] + ids.map { ($0, "identical") }))
        // Bitwise identity is the property: the files' tensor bytes themselves are equal.
        let reference = try Tool.weightBytes(path("runs/reference.safetensors"))
        for id in ids {
            XCTAssertEqual(try Tool.weightBytes(path("runs/\(id).safetensors")), reference, id)
        }
        XCTAssertEqual(run.stdout.split(separator: "\n").filter { $0.hasSuffix("identical") }.count, 7, run.stdout)
        XCTAssertTrue(run.stdout.contains("launch --workers 3 --exchange star"), run.stdout)
        XCTAssertTrue(run.stdout.contains("all 8 configurations wrote the same weights, bit for bit"), run.stdout)
    }

    func testVerify_PerturbedSeed_ExitsOneAndNamesTheFirstDifference() throws {
        let run = try Tool.run(["verify", "--limit", "960", "--workers", "2", "--exchanges", "sliced", "--threads", "1", "--perturb-seed", "workers-2",
                                "--json", path("verify.json"), "--keep", path("runs")])
        XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
        let report = try report()
        XCTAssertEqual((report["settings"] as? [String: Any])?["limit"] as? Int, 960, "a flag given wins over verify's default")
        XCTAssertEqual(verdicts(report), ["reference": "reference", "workers-2": "differs", "threads-1": "identical"])
        // The first difference it names is the first parameter whose bits differ in the files.
        let a = try TrainedModel(contentsOf: path("runs/reference.safetensors")).network.parameters
        let b = try TrainedModel(contentsOf: path("runs/workers-2.safetensors")).network.parameters
        let first = try XCTUnwrap(a.indices.first { a[$0].bitPattern != b[$0].bitPattern })
        let inputs = 784
        XCTAssertLessThan(first, 32 * inputs, "a new seed changes the first layer's weights")
        let name = "layers.0.weight[\(first / inputs), \(first % inputs)]: \(a[first]) in the reference, \(b[first]) here"
        XCTAssertTrue(run.stdout.contains("launch --workers 2 differs from the reference in"), run.stdout)
        XCTAssertTrue(run.stdout.contains(name), "expected \(name) in:\n\(run.stdout)")
        let comparison = try XCTUnwrap(rows(report)[1]["comparison"] as? [String: Any])
        XCTAssertEqual(comparison["differing"] as? Int, zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count)
        XCTAssertGreaterThan(comparison["max_ulp_difference"] as? Int ?? 0, 0)
    }

    func testVerify_FaultsAndStopAndResume_Identical() throws {
        let run = try Tool.run(["verify", "--workers", "3", "--threads", "2", "--faults", "--stop-and-resume", "--json", path("verify.json")])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        let report = try report()
        XCTAssertEqual(verdicts(report)["faults"], "identical")
        XCTAssertEqual(verdicts(report)["resume"], "identical")
        let notes = rows(report).flatMap { $0["notes"] as? [String] ?? [] }
        XCTAssertTrue(notes.contains { $0.hasPrefix("dropped worker worker-2") }, "\(notes)")
        XCTAssertTrue(notes.contains { $0.hasPrefix("worker worker-4 joined") }, "\(notes)")
        let stopped = try XCTUnwrap(notes.first { $0.hasPrefix("stopped by SIGTERM at step ") })
        let step = Int(stopped.dropFirst("stopped by SIGTERM at step ".count).prefix { $0.isNumber }) ?? -1
        XCTAssertTrue((32..<64).contains(step), "stopped after the first epoch of 32 steps, before the end: \(stopped)")
    }

    func testVerify_CoordinatorOnly_WorkersStartedElsewhere_Identical() throws {
        let token = path("run.token")
        XCTAssertEqual(try Tool.run(["keys", "token", "--out", token]).status, 0)
        let verify = try Tool.start(["verify", "--limit", "960", "--coordinator-only", "--bind", "tcp://127.0.0.1:*", "--workers", "2",
                                     "--token-file", token, "--join-timeout", "60"], logs: directory, name: "verify")
        defer { if verify.isRunning { verify.terminate() } }
        var command: [String] = []
        wait("the worker command") {
            guard let line = Tool.log(directory, "verify").split(separator: "\n").first(where: { $0.contains("digits worker --connect") }) else { return false }
            command = line.split(separator: " ").map(String.init).drop { $0 != "worker" }.map { $0 }
            return true
        }
        XCTAssertEqual(Array(command.prefix(2)), ["worker", "--connect"])
        XCTAssertTrue(command.contains(token), "the command names the token file: \(command)")
        let workers = try (1...2).map { try Tool.start(command + ["--name", "remote-\($0)"], logs: directory, name: "worker-\($0)") }
        verify.waitUntilExit()
        for w in workers { w.waitUntilExit() }
        XCTAssertEqual(verify.terminationStatus, 0, Tool.output(directory, "verify") + Tool.log(directory, "verify"))
        let table = Tool.output(directory, "verify")
        XCTAssertTrue(table.contains("coordinator --bind tcp://127.0.0.1:*, 2 workers"), table)
        XCTAssertTrue(table.contains("all 2 configurations wrote the same weights"), table)
    }

    func testVerify_ConfigurationThatCannotRun_FailsInItsRow() throws {
        let run = try Tool.run(["verify", "--limit", "960", "--coordinator-only", "--bind", "tcp://127.0.0.1:*", "--workers", "2",
                                "--join-timeout", "0.5", "--json", path("verify.json")])
        XCTAssertEqual(run.status, 1, run.stdout + run.stderr)
        XCTAssertFalse(run.stderr.contains("Fatal error"), run.stderr)
        let verdict = try XCTUnwrap(verdicts(try report())["remote"])
        XCTAssertTrue(verdict.hasPrefix("failed: remote-coordinator exited with status 1: Error: timed out"), verdict)
        XCTAssertTrue(run.stdout.contains("failed: remote-coordinator exited with status 1"), run.stdout)
    }

    func testVerify_BadInput_SaysWhatIsWrongAsTrainDoes() throws {
        let cases: [([String], String)] = [
            (["--micro-batch", "64"], "--batch (96) must be a multiple of --micro-batch (64)"),
            (["--out", "x.safetensors"], "verify chooses every run's --out"),
            (["--transport", "udp"], "--transport must be ipc or tcp"),
            (["--workers", "0"], "--workers"),
            (["--coordinator-only", "--bind", "tcp://127.0.0.1:5555"], "--coordinator-only needs --workers N"),
            (["--bind", "tcp://127.0.0.1:5555"], "go with --coordinator-only"),
            (["--exchanges", "sliced,ring"], "--exchanges"),
            (["--perturb-seed", "workers-9"], "this run has no configuration workers-9"),
        ]
        for (arguments, message) in cases {
            let run = try Tool.run(["verify"] + arguments)
            XCTAssertNotEqual(run.status, 0, "\(arguments)")
            XCTAssertTrue(run.stderr.contains(message), "\(arguments): expected \(message) in \(run.stderr)")
        }
        let data = ["--data", path("missing")]
        let train = try Tool.run(["train"] + data), verify = try Tool.run(["verify"] + data)
        XCTAssertEqual(verify.status, train.status)
        let error = try XCTUnwrap(train.stderr.split(separator: "\n").first { $0.hasPrefix("Error:") })
        XCTAssertTrue(verify.stderr.contains(error), verify.stderr)
    }

    func testVerify_Help_GivesItsDefaults_HidesPerturbSeed() throws {
        let help = try Tool.run(["verify", "--help"]).stdout
        XCTAssertTrue(help.contains("--limit 3000 --epochs 2 --layers 32 --batch 96"), help)
        XCTAssertTrue(help.contains("--stop-and-resume") && help.contains("--coordinator-only"), help)
        XCTAssertFalse(help.contains("perturb"), help)
    }

    func testExportPlan_WritesTheStepsAndTheTrainersWeightsPerEpoch() throws {
        let flags = ["--limit", "300", "--epochs", "2", "--layers", "8", "--batch", "96", "--seed", "5", "--optimizer", "adam", "--lr", "0.01"]
        let out = path("plan")
        let export = try Tool.run(["export-plan", "--out", out] + flags)
        XCTAssertEqual(export.status, 0, export.stderr)
        // export-plan trains without augmentation (the replay reads the samples as they are).
        let train = try Tool.run(["train", "--out", path("train.safetensors"), "--quiet", "--augment", "none"] + flags)
        XCTAssertEqual(train.status, 0, train.stderr)
        XCTAssertEqual(try Tool.weightBytes(out + "/epoch-2.safetensors"), try Tool.weightBytes(path("train.safetensors")),
                       "the last epoch's weights are train's, bit for bit")
        let augmented = try Tool.run(["export-plan", "--out", path("plan-augmented"), "--augment", "all"] + flags)
        XCTAssertNotEqual(augmented.status, 0)
        XCTAssertTrue(augmented.stderr.contains("--augment"), augmented.stderr)
        XCTAssertNotEqual(try Tool.weightBytes(out + "/epoch-1.safetensors"), try Tool.weightBytes(out + "/initial.safetensors"))
        XCTAssertEqual(FileManager.default.contents(atPath: out + "/train-images.u8")?.count, 300 * 784)
        XCTAssertEqual(FileManager.default.contents(atPath: out + "/train-labels.u8")?.count, 300)

        let plan = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/plan.json"))) as? [String: Any])
        let steps = try XCTUnwrap(plan["steps"] as? [[[Int]]])
        let perEpoch = try XCTUnwrap(plan["steps_per_epoch"] as? Int)
        XCTAssertEqual(perEpoch, 4, "3 shards of 100 samples, micro-batches of 32")
        XCTAssertEqual(steps.count, 2 * perEpoch)
        XCTAssertEqual((plan["learning_rates"] as? [Double])?.count, steps.count)
        XCTAssertEqual((plan["optimizer"] as? [String: Any])?["kind"] as? String, "adam")
        for epoch in 0..<2 {
            let rows = steps[(epoch * perEpoch)..<((epoch + 1) * perEpoch)].flatMap { $0.flatMap { $0 } }
            XCTAssertEqual(rows.sorted(), Array(0..<300), "every sample once in epoch \(epoch + 1)")
        }
        XCTAssertNotEqual(steps[0], steps[perEpoch], "each epoch is shuffled anew")
        XCTAssertTrue(steps.allSatisfy { $0.count == 3 }, "a micro-batch per shard in every step")

        let missing = try Tool.run(["export-plan"] + flags)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("export-plan needs --out DIR"), missing.stderr)
    }
}
