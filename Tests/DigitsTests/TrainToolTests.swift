import Datasets
import Foundation
import NeuralNetwork
import XCTest

/// `digits train`, `evaluate` and `predict`, run as a user runs them. One small model is
/// trained once (2,000 samples) and shared by the tests of this class.
final class TrainToolTests: XCTestCase {
    nonisolated(unsafe) static var directory: URL!
    nonisolated(unsafe) static var trainRun: ToolRun!

    static var modelPath: String { directory.appendingPathComponent("model.safetensors").path }
    static var metricsPath: String { directory.appendingPathComponent("metrics.jsonl").path }

    override class func setUp() {
        super.setUp()
        directory = try! Tool.temporaryDirectory("train")
        trainRun = try! Tool.run(["train", "--limit", "2000", "--epochs", "3", "--layers", "64", "--out", modelPath,
                                  "--metrics", metricsPath, "--seed", "5"])
    }

    func testTrain_SmallRun_ClearsTheAccuracyBar() throws {
        XCTAssertEqual(Self.trainRun.status, 0, Self.trainRun.stderr)
        let lines = try String(contentsOfFile: Self.metricsPath, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 3, "one JSON line per epoch")
        let last = try JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as! [String: Any]
        let accuracy = try XCTUnwrap(last["test_accuracy"] as? Double)
        XCTAssertGreaterThan(accuracy, 0.8, "2,000 samples and 3 epochs (augmented, as by default) should clear 80% on the MNIST test set")
        XCTAssertTrue(Self.trainRun.stdout.contains("epoch 3:"), "plain epoch lines when not on a terminal")
    }

    func testTrain_Piped_ResultsOnStandardOutputDiagnosticsOnStandardError() throws {
        let out = Self.trainRun.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(out.filter { $0.hasPrefix("epoch ") }.count, 3, Self.trainRun.stdout)
        XCTAssertTrue(out.last?.hasPrefix("test accuracy ") ?? false, "the summary ends standard output: \(Self.trainRun.stdout)")
        XCTAssertTrue(Self.trainRun.stderr.contains("training 784→64→10"), "what is going on goes to standard error: \(Self.trainRun.stderr)")
        XCTAssertFalse(Self.trainRun.stderr.contains("epoch 1:"), Self.trainRun.stderr)
        XCTAssertFalse(Self.trainRun.stdout.contains("training 784"), Self.trainRun.stdout)
    }

    func testTrain_SameSeedTwice_WritesIdenticalWeights() throws {
        let again = Self.directory.appendingPathComponent("again.safetensors").path
        let run = try Tool.run(["train", "--limit", "2000", "--epochs", "3", "--layers", "64", "--out", again, "--seed", "5", "--threads", "2", "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "", "--quiet prints nothing")
        XCTAssertEqual(try Tool.weightBytes(again), try Tool.weightBytes(Self.modelPath), "2 threads must give the bytes of 1")
    }

    /// --eval-every adds test evaluations between steps without changing the training: the same
    /// weights, and at epoch ends the epochs' own test accuracy and training seconds.
    func testTrain_EvalEvery_LogsEvaluationsBetweenStepsAndTrainsTheSame() throws {
        let out = Self.directory.appendingPathComponent("evaluated.safetensors").path
        let log = Self.directory.appendingPathComponent("evaluations.jsonl").path
        let metrics = Self.directory.appendingPathComponent("evaluated-metrics.jsonl").path
        let run = try Tool.run(["train", "--limit", "2000", "--epochs", "3", "--layers", "64", "--out", out, "--seed", "5", "--quiet",
                                "--metrics", metrics, "--eval-every", "16", "--eval-log", log])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try Tool.weightBytes(out), try Tool.weightBytes(Self.modelPath), "evaluating does not change the training")
        func objects(_ path: String) throws -> [[String: Any]] {
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
                try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
        }
        let evaluations = try objects(log), epochs = try objects(metrics)
        XCTAssertEqual(evaluations.map { $0["step"] as? Int }, [16, 32, 48, 64, 80, 96], "2 shards of 1,000, micro-batch 32: 32 steps an epoch")
        XCTAssertEqual(evaluations.map { $0["epoch"] as? Int }, [1, 1, 2, 2, 3, 3])
        XCTAssertEqual(evaluations.map { $0["samples"] as? Int }, [1024, 2000, 3024, 4000, 5024, 6000])
        XCTAssertEqual(epochs.count, 3)
        var trained = 0.0
        for (e, epoch) in epochs.enumerated() where evaluations.count == 6 {
            let middle = evaluations[2 * e], end = evaluations[2 * e + 1]
            trained += try XCTUnwrap(epoch["seconds"] as? Double)
            XCTAssertEqual(end["test_accuracy"] as? Double, epoch["test_accuracy"] as? Double, "epoch \(e + 1)'s own evaluation")
            XCTAssertEqual(try XCTUnwrap(end["training_seconds"] as? Double), trained, accuracy: 1e-9,
                           "the epochs' seconds and training_seconds both leave the evaluations out")
            XCTAssertLessThan(try XCTUnwrap(middle["training_seconds"] as? Double), try XCTUnwrap(end["training_seconds"] as? Double))
        }
    }

    /// --robustness: one line per variation, each a percentage, lower than as-is for the
    /// bold strokes a 3-epoch model never saw.
    func testEvaluate_Robustness_ReportsEveryVariation() throws {
        let run = try Tool.run(["evaluate", "--model", Self.modelPath, "--robustness", "--limit", "500"])
        XCTAssertEqual(run.status, 0, run.stderr)
        var accuracy: [String: Double] = [:]
        for name in ["as it is"] + RobustnessVariation.allCases.map(\.rawValue) {
            let line = try XCTUnwrap(run.stdout.split(separator: "\n").first { $0.hasPrefix("  \(name) ") }, "no line for \(name): \(run.stdout)")
            accuracy[name] = Double(line.dropFirst(2 + name.count).trimmingCharacters(in: .whitespaces).dropLast())
        }
        XCTAssertEqual(accuracy.count, 7)
        XCTAssertTrue(run.stdout.contains("500 images"), "--limit 500: \(run.stdout)")
        XCTAssertTrue(accuracy.values.allSatisfy { (0...100).contains($0) }, "\(accuracy)")
        XCTAssertLessThan(accuracy["thicker by 2 px"]!, accuracy["as it is"]!, "\(accuracy)")
    }

    /// --augment trains another model, recorded in its metadata; the same seed, the same bytes.
    func testTrain_Augment_IsRecordedAndRepeatable() throws {
        let a = Self.directory.appendingPathComponent("augmented-a.safetensors").path
        let b = Self.directory.appendingPathComponent("augmented-b.safetensors").path
        for (out, threads) in [(a, "1"), (b, "2")] {
            let run = try Tool.run(["train", "--limit", "2000", "--epochs", "1", "--layers", "32", "--augment", "all", "--seed", "5",
                                    "--threads", threads, "--out", out, "--quiet"])
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        XCTAssertEqual(try Tool.weightBytes(a), try Tool.weightBytes(b), "2 threads must give the bytes of 1 with augmentation")
        let header = try String(contentsOfFile: a, encoding: .isoLatin1)
        XCTAssertTrue(header.contains(#""augment":"stroke+affine+elastic""#), "the model's metadata says how it was trained")
        let bad = try Tool.run(["train", "--augment", "sideways", "--limit", "100"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--augment") && bad.stderr.contains("elastic"), bad.stderr)
    }

    func testTrain_WritesASelfContainedHTMLReport() throws {
        let html = try String(contentsOfFile: Self.directory.appendingPathComponent("model.html").path, encoding: .utf8)
        XCTAssertTrue(html.contains("<h2>Loss and accuracy per epoch</h2>") && html.contains("Confusion matrix (test set)"))
        XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, 2, "the curves and the confusion matrix")
        XCTAssertTrue(html.contains("data:image/png;base64,"), "misread digits are inline PNG")
        XCTAssertFalse(html.contains("http://") && html.contains("<script src"), "nothing is loaded from elsewhere")
        XCTAssertFalse(html.contains("id=\"plot0-clip\""), "clip ids are made unique per figure")
    }

    func testEvaluate_PrintsAccuracyPerClassAndConfusionMatrix() throws {
        let run = try Tool.run(["evaluate", "--model", Self.modelPath])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("mnist test set: 10000 images, accuracy"), run.stdout)
        XCTAssertTrue(run.stdout.contains("precision  recall"), run.stdout)
        XCTAssertTrue(run.stdout.contains("confusion matrix"), run.stdout)
    }

    /// Writes `pictures` as PNG files `<name>0.png`, `<name>1.png`, … and runs `digits predict`
    /// on them: the run, and the digit it printed for each picture.
    func predict(_ pictures: [GrayImage], named name: String) throws -> (run: ToolRun, digits: [Int]) {
        var paths: [String] = []
        for (i, picture) in pictures.enumerated() {
            let path = Self.directory.appendingPathComponent("\(name)\(i).png").path
            try picture.writePNG(to: path)
            paths.append(path)
        }
        let run = try Tool.run(["predict", "--model", Self.modelPath] + paths)
        // "path: 7   top 3: …", or "path: not sure: 7 or 1   top 3: …": the first guess (−1 if neither).
        let digits = run.stdout.split(separator: "\n").map { line -> Int in
            var answer = line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            if answer.hasPrefix("not sure: ") { answer = String(answer.dropFirst("not sure: ".count)) }
            return Int(answer.prefix(1)) ?? -1
        }
        return (run, digits)
    }

    /// MNIST test digits rendered to PNG at another size and inverted (dark ink on white):
    /// predict must prepare them back and read most of them.
    func testPredict_RenderedMNISTDigits_ReturnsTheirLabels() throws {
        let test = try DataSet.embeddedMNIST().test
        let pictures = (0..<10).map { i in
            let digit = test.image(i)
            // 3× larger, dark on light, with a white margin: nothing like the 28×28 original.
            let side = 100
            var pixels = [UInt8](repeating: 255, count: side * side)
            for y in 0..<84 { for x in 0..<84 { pixels[(y + 8) * side + x + 8] = 255 - digit[x / 3, y / 3] } }
            return GrayImage(width: side, height: side, pixels: pixels)
        }
        let (run, digits) = try predict(pictures, named: "digit")
        XCTAssertEqual(run.status, 0, run.stderr)
        let labels = (0..<10).map { Int(test.labels[$0]) }
        XCTAssertGreaterThanOrEqual(zip(digits, labels).filter { $0 == $1 }.count, 8, "predicted \(digits) for \(labels)")
        XCTAssertTrue(run.stdout.contains("top 3:"), run.stdout)
    }

    /// A model trained with a validation split is calibrated: the run says how, the model keeps
    /// its temperature and threshold, and predict answers a digit or "not sure: a or b".
    func testTrain_Validation_CalibratesAndPredictSaysWhenNotSure() throws {
        let out = Self.directory.appendingPathComponent("calibrated.safetensors").path
        let run = try Tool.run(["train", "--limit", "2000", "--validation", "500", "--epochs", "1", "--layers", "16", "--seed", "5", "--out", out])
        XCTAssertEqual(run.status, 0, run.stderr)
        let line = try XCTUnwrap(run.stdout.split(separator: "\n").first { $0.hasPrefix("calibrated on 500 validation samples: temperature ") }, run.stdout)
        XCTAssertTrue(line.contains("on the test set, expected calibration error") && line.contains("log loss") && line.contains("\"not sure\""), String(line))
        let header = try String(contentsOfFile: out, encoding: .isoLatin1)
        XCTAssertTrue(header.contains(#""temperature":""#) && header.contains(#""unsure_below":""#) && header.contains(#""test_ece":""#)
                      && header.contains(#""test_log_loss":""#) && header.contains(#""test_log_loss_uncalibrated":""#))
        let test = try DataSet.embeddedMNIST().test
        var paths: [String] = []
        for i in 0..<20 {
            let path = Self.directory.appendingPathComponent("calibrated-digit\(i).png").path
            try test.image(i).writePNG(to: path)
            paths.append(path)
        }
        let predict = try Tool.run(["predict", "--model", out] + paths)
        XCTAssertEqual(predict.status, 0, predict.stderr)
        let answer = try NSRegularExpression(pattern: #"^.*\.png: ([0-9]|not sure: [0-9] or [0-9])   top 3: "#)
        for l in predict.stdout.split(separator: "\n").map(String.init) {
            XCTAssertNotNil(answer.firstMatch(in: l, range: NSRange(l.startIndex..., in: l)), l)
        }
        // A 1-epoch 16-unit model is unsure of some of 20 digits: its threshold is above its weakest readings.
        XCTAssertTrue(predict.stdout.contains("not sure: "), predict.stdout)
    }

    /// The same digits as photos: dark ink (60) on grey paper (180) lit from the top left,
    /// down to half the light in the opposite corner, with noise of ±12 grey levels.
    func testPredict_PhotosOfDigits_ReturnsTheirLabels() throws {
        let test = try DataSet.embeddedMNIST().test
        var generator = SeededGenerator(seed: 18)
        let pictures = (0..<10).map { i in
            let digit = test.image(i)
            let side = 100
            var pixels = [UInt8](repeating: 0, count: side * side)
            for y in 0..<side {
                for x in 0..<side {
                    let ink = (8..<92).contains(x) && (8..<92).contains(y) ? Double(digit[(x - 8) / 3, (y - 8) / 3]) / 255 : 0
                    let light = 1 - 0.5 * Double(x + y) / Double(2 * side - 2)
                    let value = (180 - 120 * ink) * light + Double(generator.nextFloat(limit: 12))
                    pixels[y * side + x] = UInt8(min(255, max(0, value.rounded())))
                }
            }
            return GrayImage(width: side, height: side, pixels: pixels)
        }
        let (run, digits) = try predict(pictures, named: "photo")
        XCTAssertEqual(run.status, 0, run.stderr)
        let labels = (0..<10).map { Int(test.labels[$0]) }
        XCTAssertGreaterThanOrEqual(zip(digits, labels).filter { $0 == $1 }.count, 8, "predicted \(digits) for \(labels)")
    }

    /// Each image that cannot be read is reported on standard error, naming it, and the
    /// others are still read.
    func testPredict_BadImages_AreNamedAndTheOthersRead() throws {
        let garbage = Self.directory.appendingPathComponent("garbage.png").path
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: garbage))
        let blank = Self.directory.appendingPathComponent("blank.png").path
        try GrayImage(width: 40, height: 40, pixels: [UInt8](repeating: 255, count: 1600)).writePNG(to: blank)
        let good = Self.directory.appendingPathComponent("good.png").path
        try DataSet.embeddedMNIST().test.image(0).writePNG(to: good)
        let run = try Tool.run(["predict", "--model", Self.modelPath, garbage, blank, good, "/nonexistent/digit.png"])
        XCTAssertEqual(run.status, 1, run.stderr)
        let errors = run.stderr.split(separator: "\n")
        XCTAssertEqual(errors.count, 3, run.stderr)
        for (line, expected) in zip(errors, ["garbage.png: unknown image format", "blank.png: the image has no ink",
                                             "/nonexistent/digit.png: cannot read the file"]) {
            XCTAssertTrue(line.hasPrefix("error: ") && line.contains(expected), "“\(line)” should name the file: \(expected)")
        }
        XCTAssertTrue(run.stdout.hasPrefix(good + ": "), "the good image after a bad one is still read: \(run.stdout)")
        XCTAssertEqual(run.stdout.split(separator: "\n").count, 1, run.stdout)
    }

    func testModelFlags_BadModelFile_IsRefusedWithTheReason() throws {
        let bad = Self.directory.appendingPathComponent("bad.safetensors").path
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: bad))
        let run = try Tool.run(["evaluate", "--model", bad])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("bad.safetensors: not a valid safetensors file"), run.stderr)
    }

    func testTrain_BadFlags_AreRefused() throws {
        for (flags, message) in [(["--batch", "100", "--micro-batch", "32"], "multiple of --micro-batch"),
                                 (["--layers", "12,x"], "--layers"), (["--lr", "0"], "--lr"), (["--epochs", "0"], "--epochs"),
                                 (["--eval-every", "100"], "--eval-every and --eval-log go together"),
                                 (["--eval-every", "0", "--eval-log", "e.jsonl"], "--eval-every must be at least 1")] {
            let run = try Tool.run(["train"] + flags)
            XCTAssertNotEqual(run.status, 0, "\(flags)")
            XCTAssertTrue(run.stderr.contains(message), "\(flags): \(run.stderr)")
        }
    }

    /// The model file is plain safetensors: numpy alone reads it (skipped without python3/numpy).
    func testModelFile_LoadsInPythonWithNumpyAlone() throws {
        let script = """
        import json, struct, sys, numpy as np
        raw = open(sys.argv[1], 'rb').read()
        n = struct.unpack('<Q', raw[:8])[0]
        header = json.loads(raw[8:8 + n])
        meta = header.pop('__metadata__')
        w = header['layers.0.weight']
        a, b = w['data_offsets']
        weights = np.frombuffer(raw[8 + n + a:8 + n + b], dtype='<f4').reshape(w['shape'])
        print(meta['format'], weights.shape, meta['seed'], float(np.abs(weights).sum()) > 0)
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, Self.modelPath]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        do { try process.run() } catch { throw XCTSkip("python3 is not available") }
        process.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        if process.terminationStatus != 0 { throw XCTSkip("python3 with numpy is not available") }
        XCTAssertEqual(text.trimmingCharacters(in: .whitespacesAndNewlines), "digits-model-1 (64, 784) 5 True")
    }
}
