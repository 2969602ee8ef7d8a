import Datasets
import Foundation
import NeuralNetwork
import XCTest

/// Issue 15 §2–§3: absurd flags, crafted files and failing disks, as a user (or a tester)
/// meets them. Each is an error or a warning that names the flag or the file, never a trap,
/// and never an hour of training lost to a mistake that could be seen at the start.
final class HostileInputToolTests: XCTestCase {
    /// Flags that overflow or would allocate terabytes are refused by the parser (exit 64),
    /// naming the flag and what is allowed.
    func testTrain_HugeSizes_AreRefusedNamingTheFlag() throws {
        let out = try Tool.temporaryDirectory().appendingPathComponent("m.safetensors").path
        let deep = Array(repeating: "8", count: 65).joined(separator: ",")
        for (flags, flag) in [(["--epochs", "100000000000000000"], "--epochs"),
                              (["--batch", "1000000000000", "--micro-batch", "1"], "--batch"),
                              (["--layers", "100000000"], "--layers"),
                              (["--layers", deep], "--layers"),
                              (["--layers", "65536,65536,65536"], "--layers"),
                              (["--batch", "\(Int.max)", "--micro-batch", "\(Int.max)"], "--batch"),
                              (["--batch", "1048576", "--micro-batch", "1"], "--micro-batch"),
                              (["--batch", "1048576", "--micro-batch", "1048576", "--layers", "8192"], "--micro-batch")] {
            let run = try Tool.run(["train", "--out", out] + flags)
            XCTAssertEqual(run.status, 64, "\(flags): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains(flag) && run.stderr.contains("at most"), "\(flags): \(run.stderr)")
        }
    }

    /// Sizes that fit the bound checked before --data is read but not the data's real shape
    /// (64 inputs) are refused once it is known, before training, naming the flag.
    func testTrain_LayersTooLargeForTheDataShape_AreRefusedAfterLoading() throws {
        let directory = try Tool.temporaryDirectory()
        let data = try writeDataSet(in: directory, classes: 2)
        let run = try Tool.run(["train", "--data", data, "--layers", "65536,4090", "--out", directory.appendingPathComponent("m.safetensors").path])
        XCTAssertEqual(run.status, 64, run.stderr)
        XCTAssertTrue(run.stderr.contains("--layers 65536,4090 makes 64→65536→4090→2") && run.stderr.contains("at most"), run.stderr)
        XCTAssertFalse(run.stderr.contains("training 64"), run.stderr)
    }

    /// A valid data set of one class (labels all 0): the model and the report are written.
    func testTrain_OneClassDataSet_WritesTheModelAndTheReport() throws {
        let directory = try Tool.temporaryDirectory()
        let data = try writeDataSet(in: directory, classes: 1)
        let model = directory.appendingPathComponent("m.safetensors").path
        let run = try Tool.run(["train", "--data", data, "--epochs", "2", "--layers", "4", "--batch", "8", "--micro-batch", "4", "--out", model])
        XCTAssertEqual(run.status, 0, run.stderr)
        let html = try String(contentsOfFile: directory.appendingPathComponent("m.html").path, encoding: .utf8)
        XCTAssertTrue(html.contains("Confusion matrix (test set)") && html.contains("100.00% (10 of 10)"), html)
        let report = try Tool.run(["report", "--model", model, "--data", data, "--out", directory.appendingPathComponent("r.html").path])
        XCTAssertEqual(report.status, 0, report.stderr)
    }

    /// A model with a NaN weight is refused when it is loaded, by every command that reads one.
    func testModelCommands_NaNWeights_AreRefusedAtStartNamingTheFile() throws {
        let directory = try Tool.temporaryDirectory()
        let path = directory.appendingPathComponent("nan.safetensors").path
        var network = Network(architecture: Architecture(inputs: 784, hidden: [], outputs: 10), seed: 1)
        network.parameters[100] = .nan
        try TrainedModel(network: network, imageHeight: 28, imageWidth: 28).write(to: path)
        for command in [["evaluate", "--model", path], ["predict", "--model", path, "/nonexistent/digit.png"]] {
            let run = try Tool.run(command)
            XCTAssertEqual(run.status, 1, "\(command[0]): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains(path) && run.stderr.contains("not finite"), "\(command[0]): \(run.stderr)")
        }
        let server = try Tool.start(["serve", "--model", path, "--port", "0"], logs: directory, name: "serve")
        let deadline = Date(timeIntervalSinceNow: 20)
        while server.isRunning && Date() < deadline { usleep(50_000) }
        if server.isRunning { server.terminate() }
        server.waitUntilExit()
        XCTAssertEqual(server.terminationStatus, 1, "serve must refuse the model at start: \(Tool.log(directory, "serve"))")
        XCTAssertTrue(Tool.log(directory, "serve").contains("not finite"), Tool.log(directory, "serve"))
    }

    /// Output paths that cannot be written are refused before any training, naming the flag
    /// and the path. Tests run as root, who may write anywhere permissions allow: each case
    /// fails for root too (a missing directory, a regular file as a directory, /proc).
    func testTrain_UnwritableOutputs_AreRefusedBeforeTraining() throws {
        let directory = try Tool.temporaryDirectory()
        let file = directory.appendingPathComponent("plain-file").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let model = directory.appendingPathComponent("m.safetensors").path
        for (flags, mentions) in [(["--out", "/nonexistent-dir/m.safetensors"], ["--out", "/nonexistent-dir"]),
                                  (["--out", "\(file)/m.safetensors"], ["--out", file]),
                                  (["--out", "/proc/m.safetensors"], ["--out", "/proc"]),
                                  (["--checkpoint", "\(directory.path)/missing/run.ckpt"], ["--checkpoint", "missing"]),
                                  (["--checkpoint", directory.path], ["--checkpoint", "is a directory"]),
                                  (["--metrics", "\(file)/metrics.jsonl"], ["--metrics", file]),
                                  (["--report", "/nonexistent-dir/r.html"], ["--report", "/nonexistent-dir"]),
                                  (["--eval-every", "5", "--eval-log", "/nonexistent-dir/e.jsonl"], ["--eval-log", "/nonexistent-dir"]),
                                  (["--checkpoint", model], ["--out and --checkpoint", model]),
                                  (["--checkpoint", "\(directory.path)/./m.safetensors"], ["--out and --checkpoint"]),
                                  (["--metrics", model], ["--out and --metrics"]),
                                  (["--resume", model], ["--out and --resume"])] {
            let out = flags.contains("--out") ? [] : ["--out", model]
            let run = try Tool.run(["train", "--limit", "200", "--epochs", "1", "--layers", "4"] + out + flags)
            XCTAssertEqual(run.status, 64, "\(flags): \(run.stderr)")
            XCTAssertTrue(mentions.allSatisfy(run.stderr.contains), "\(flags) should mention \(mentions): \(run.stderr)")
            XCTAssertFalse(run.stderr.contains("training 784"), "\(flags): refused before training: \(run.stderr)")
        }
    }

    /// A checkpoint that cannot be written (here: larger than the file-size limit, EFBIG like
    /// a full disk's ENOSPC) is a warning: training goes on and the model is still written.
    func testTrain_CheckpointCannotBeWritten_WarnsAndStillWritesTheModel() throws {
        let prlimit = "/usr/bin/prlimit"
        guard FileManager.default.isExecutableFile(atPath: prlimit) else { throw XCTSkip("no \(prlimit) to limit file sizes") }
        let directory = try Tool.temporaryDirectory()
        let model = directory.appendingPathComponent("m.safetensors").path
        let checkpoint = directory.appendingPathComponent("run.ckpt").path
        // 784→32→10 has 25,450 parameters: the model is 102 KB, a checkpoint with Adam's two moments 306 KB.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: prlimit)
        process.arguments = ["--fsize=200000", Tool.executable.path, "train", "--limit", "1000", "--epochs", "2", "--layers", "32",
                             "--optimizer", "adam", "--checkpoint", checkpoint, "--checkpoint-every", "10", "--out", model]
        let log = directory.appendingPathComponent("train.err")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let stderr = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        XCTAssertEqual(process.terminationReason, .exit, stderr)
        XCTAssertEqual(process.terminationStatus, 0, stderr)
        XCTAssertTrue(stderr.contains("warning: cannot write the checkpoint \(checkpoint)") && stderr.contains("File too large"), stderr)
        let trained = try TrainedModel(contentsOf: model)
        XCTAssertEqual(trained.metadata["steps_done"], "32", "1,000 samples, 2 shards, micro-batch 32: 16 steps an epoch, all done")
    }

    /// When the model cannot be written at the end, the error says where the training state is.
    func testTrain_ModelCannotBeWritten_ErrorNamesTheLastGoodCheckpoint() throws {
        let directory = try Tool.temporaryDirectory()
        let checkpoint = directory.appendingPathComponent("run.ckpt").path
        let outDirectory = directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: outDirectory, withIntermediateDirectories: true)
        let model = outDirectory.appendingPathComponent("m.safetensors").path
        let process = try Tool.start(["train", "--limit", "2000", "--epochs", "1000", "--layers", "8", "--checkpoint", checkpoint,
                                      "--checkpoint-every", "5", "--out", model], logs: directory, name: "train")
        let deadline = Date(timeIntervalSinceNow: 60)
        while !FileManager.default.fileExists(atPath: checkpoint) && process.isRunning && Date() < deadline { usleep(20_000) }
        // The run is long; its directory for --out goes away while it trains, then Ctrl-C ends it.
        try FileManager.default.removeItem(at: outDirectory)
        process.interrupt()
        process.waitUntilExit()
        let stderr = Tool.log(directory, "train")
        XCTAssertEqual(process.terminationStatus, 1, stderr)
        XCTAssertTrue(stderr.contains("cannot write the model to \(model)"), stderr)
        XCTAssertTrue(stderr.contains("--resume \(checkpoint)"), "the error says how to get the model from the checkpoint: \(stderr)")
        let saved = try SafeTensors(contentsOf: checkpoint)
        XCTAssertGreaterThan(Int(saved.metadata["next_step"] ?? "") ?? 0, 0)
    }

    /// A metrics file that cannot be written (a full disk: /dev/full) gets one warning naming
    /// it; training goes on and the model is written.
    func testTrain_MetricsWritesFail_WarnOnceAndTrainingGoesOn() throws {
        let directory = try Tool.temporaryDirectory()
        let metrics = directory.appendingPathComponent("metrics.jsonl").path
        try FileManager.default.createSymbolicLink(atPath: metrics, withDestinationPath: "/dev/full")
        let model = directory.appendingPathComponent("m.safetensors").path
        let run = try Tool.run(["train", "--limit", "500", "--epochs", "3", "--layers", "8", "--metrics", metrics, "--out", model])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr.components(separatedBy: "warning: cannot write to the metrics file \(metrics)").count - 1, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("No space left on device"), run.stderr)
        XCTAssertNoThrow(try TrainedModel(contentsOf: model))
    }

    /// A data set of 8×8 images (40 for training, 10 for testing) in IDX files, labels cycling
    /// through `classes`; returns its directory.
    func writeDataSet(in directory: URL, classes: Int) throws -> String {
        let data = directory.appendingPathComponent("data").path
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        for (name, count) in [("train", 40), ("t10k", 10)] {
            let pixels = (0..<count * 64).map { UInt8($0 * 37 % 256) }
            try DataFile.write(IDX.encode(IDXArray(dimensions: [count, 8, 8], data: pixels)), to: "\(data)/\(name)-images-idx3-ubyte")
            try DataFile.write(IDX.encode(IDXArray(dimensions: [count], data: (0..<count).map { UInt8($0 % classes) })),
                               to: "\(data)/\(name)-labels-idx1-ubyte")
        }
        return data
    }
}
