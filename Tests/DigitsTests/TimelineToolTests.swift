import Foundation
import XCTest

/// `--timeline FILE`: a Chrome trace-event file with a track for the coordinator and one per
/// worker, checked as JSON: the tracks, the spans of a small run, and that the workers'
/// spans (in their own clocks) land inside the coordinator's steps once aligned.
final class TimelineToolTests: XCTestCase {
    static let flags = ["--limit", "1920", "--batch", "96", "--micro-batch", "32", "--epochs", "1", "--layers", "16", "--quiet"]

    func events(_ path: String) throws -> [[String: Any]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [[String: Any]], "a JSON array of events")
    }

    /// Workers whose clocks are 1,000 s ahead and 500 s behind (as they report their times):
    /// the coordinator's alignment from the round trips must put their spans in its steps.
    func testCoordinator_Timeline_AlignsWorkersWhoseClocksAreOff() throws {
        let directory = try Tool.temporaryDirectory()
        let path = directory.appendingPathComponent("skew.trace.json").path
        for exchange in ["sliced", "star"] {
            let address = "ipc:///tmp/digits-\(UUID().uuidString.prefix(8)).ipc"
            let coordinator = try Tool.start(["coordinator", "--bind", address, "--insecure", "--workers", "2", "--exchange", exchange,
                                              "--timeline", path, "--out", directory.appendingPathComponent("m.safetensors").path] + Self.flags,
                                             logs: directory, name: "coordinator-\(exchange)")
            let workers = try [("worker-1", "1000"), ("worker-2", "-500")].map { name, skew in
                try Tool.start(["worker", "--connect", address, "--insecure", "--name", name, "--timeout", "20", "--test-clock-skew=\(skew)"],
                               logs: directory, name: "\(name)-\(exchange)")
            }
            coordinator.waitUntilExit()
            for w in workers { w.waitUntilExit() }
            XCTAssertEqual(coordinator.terminationStatus, 0, Tool.log(directory, "coordinator-\(exchange)"))
            try checkTimeline(path, exchange: exchange)
        }
    }

    func testLaunch_Timeline_HasATrackPerWorker_WithAlignedSpans() throws {
        let directory = try Tool.temporaryDirectory()
        let path = directory.appendingPathComponent("run.trace.json").path
        for exchange in ["sliced", "star"] {
            let run = try Tool.run(["launch", "--workers", "2", "--exchange", exchange, "--timeline", path,
                                    "--out", directory.appendingPathComponent("m.safetensors").path] + Self.flags)
            XCTAssertEqual(run.status, 0, run.stderr)
            try checkTimeline(path, exchange: exchange)
            let report = try String(contentsOfFile: directory.appendingPathComponent("m.html").path, encoding: .utf8)
            XCTAssertTrue(report.contains("<h2>One step, worker by worker</h2>"), "\(exchange): the report draws the last step")
            for lane in ["coordinator", "worker-1", "worker-2"] {
                XCTAssertTrue(report.contains(">\(lane)</text>"), "\(exchange): the step's chart has a lane for \(lane)")
            }
        }
    }

    /// The tracks (coordinator, worker-1, worker-2), the coordinator's spans, and every
    /// worker compute span within a step of the coordinator's.
    func checkTimeline(_ path: String, exchange: String, file: StaticString = #filePath, line: UInt = #line) throws {
        do {
            let events = try events(path)
            var names: [Int: String] = [:]
            for e in events where e["ph"] as? String == "M" && e["name"] as? String == "thread_name" {
                names[e["tid"] as! Int] = (e["args"] as? [String: Any])?["name"] as? String
            }
            XCTAssertEqual(Set(names.keys), [0, 1, 2], "\(exchange): \(names)")
            XCTAssertEqual(names[0], "coordinator")
            XCTAssertEqual(Set([names[1], names[2]]), ["worker-1", "worker-2"], "\(names)")
            func spans(_ tid: Int, _ prefix: String) -> [(start: Double, end: Double)] {
                events.filter { $0["ph"] as? String == "X" && $0["tid"] as? Int == tid && ($0["name"] as? String ?? "").hasPrefix(prefix) }
                    .map { e in let ts = e["ts"] as! Double; return (ts, ts + (e["dur"] as! Double)) }
            }
            let steps = spans(0, "step ")
            XCTAssertEqual(steps.count, 20, "\(exchange): 1,920 samples in steps of 96")
            for prefix in ["send", "wait for replies", "update", "evaluate"] {
                XCTAssertFalse(spans(0, prefix).isEmpty, "\(exchange): the coordinator's \(prefix) spans")
            }
            for tid in [1, 2] {
                let computes = spans(tid, "compute")
                XCTAssertGreaterThanOrEqual(computes.count, 20, "\(exchange): worker \(tid) computes every step")
                XCTAssertFalse(spans(tid, "reply").isEmpty)
                // Aligned from the round trips: each compute falls within some step of the
                // coordinator (the sliced exchange orders a step early: within it or the one before).
                let outside = computes.filter { c in
                    !steps.indices.contains { i in c.start >= (steps[max(0, i - 1)].start - 2000) && c.end <= steps[i].end + 2000 }
                }
                XCTAssertTrue(outside.isEmpty, "\(exchange): worker \(tid) spans outside every step: \(outside.prefix(3))")
                let instants = events.filter { $0["ph"] as? String == "i" && $0["tid"] as? Int == tid }.compactMap { $0["name"] as? String }
                XCTAssertTrue(instants.contains("joined"), "\(instants)")
            }
        }
    }

    /// `digits report --timeline` draws a step of the trace: the slowest, or the one given,
    /// also from a trace whose run stopped before closing it; a missing step or a file that is
    /// not a trace is named.
    func testReport_Timeline_DrawsTheSlowestOrTheGivenStep() throws {
        let directory = try Tool.temporaryDirectory()
        let trace = directory.appendingPathComponent("run.trace.json").path
        let model = directory.appendingPathComponent("m.safetensors").path
        let report = directory.appendingPathComponent("r.html").path
        let run = try Tool.run(["launch", "--workers", "2", "--timeline", trace, "--out", model] + Self.flags)
        XCTAssertEqual(run.status, 0, run.stderr)
        let steps = try events(trace).filter { $0["ph"] as? String == "X" && $0["tid"] as? Int == 0 && $0["cat"] as? String == "step" }
        let slowest = try XCTUnwrap(steps.max { ($0["dur"] as! Double) < ($1["dur"] as! Double) }?["name"] as? String)

        let drawn = try Tool.run(["report", "--model", model, "--timeline", trace, "--out", report])
        XCTAssertEqual(drawn.status, 0, drawn.stderr)
        var html = try String(contentsOfFile: report, encoding: .utf8)
        XCTAssertTrue(html.contains("The run's slowest step") && html.contains(">\(slowest): "), "the report draws \(slowest)")
        for lane in ["coordinator", "worker-1", "worker-2"] { XCTAssertTrue(html.contains(">\(lane)</text>"), lane) }

        let given = try Tool.run(["report", "--model", model, "--timeline", trace, "--step", "1.3", "--out", report])
        XCTAssertEqual(given.status, 0, given.stderr)
        html = try String(contentsOfFile: report, encoding: .utf8)
        XCTAssertTrue(html.contains("<p>Step 1.3:") && html.contains(">step 1.3: "), "the report draws step 1.3")

        // Cut in the middle of the run, as a killed run leaves it.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: trace))
        let cut = directory.appendingPathComponent("cut.trace.json")
        try bytes.prefix(bytes.count / 2).write(to: cut)
        let fromCut = try Tool.run(["report", "--model", model, "--timeline", cut.path, "--step", "1.2", "--out", report])
        XCTAssertEqual(fromCut.status, 0, fromCut.stderr)

        let missing = try Tool.run(["report", "--model", model, "--timeline", trace, "--step", "3.1", "--out", report])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("\(trace) has no step 3.1: its steps run from step 1.1 to step 1.20"), missing.stderr)
        let garbage = directory.appendingPathComponent("m.jsonl")
        try Data("not json\n".utf8).write(to: garbage)
        let notATrace = try Tool.run(["report", "--model", model, "--timeline", garbage.path, "--out", report])
        XCTAssertNotEqual(notATrace.status, 0)
        XCTAssertTrue(notATrace.stderr.contains("\(garbage.path) is not a timeline"), notATrace.stderr)
        for bad in ["1", "0.3", "1.x", "1.2.3", "1.x.3"] {
            let refused = try Tool.run(["report", "--model", model, "--timeline", trace, "--step", bad, "--out", report])
            XCTAssertNotEqual(refused.status, 0)
            XCTAssertTrue(refused.stderr.contains("--step takes EPOCH.STEP"), "\(bad): \(refused.stderr)")
        }
    }

    func testTrain_Timeline_HasTheCoordinatorsSpans_AndABadPathIsNamed() throws {
        let directory = try Tool.temporaryDirectory()
        let path = directory.appendingPathComponent("train.trace.json").path
        let run = try Tool.run(["train", "--timeline", path, "--out", directory.appendingPathComponent("m.safetensors").path] + Self.flags)
        XCTAssertEqual(run.status, 0, run.stderr)
        let names = Set(try events(path).compactMap { $0["name"] as? String }.map { $0.split(separator: " ").first.map(String.init) ?? $0 })
        XCTAssertTrue(names.isSuperset(of: ["thread_name", "step", "update", "evaluate"]), "\(names)")
        let bad = try Tool.run(["train", "--timeline", "/nonexistent-dir/t.json"] + Self.flags)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--timeline"), bad.stderr)
    }
}

/// A worker made slow on purpose (`--test-delay`, 20 ms more per step): the metrics show each
/// worker's compute median and p95, bytes and its time waiting for the others, and the
/// progress names it.
final class StragglerToolTests: XCTestCase {
    func testSlowWorker_IsNamedInTheMetricsAndTheProgress() throws {
        let directory = try Tool.temporaryDirectory()
        let metrics = directory.appendingPathComponent("m.jsonl").path
        let address = "ipc:///tmp/digits-\(UUID().uuidString.prefix(8)).ipc"
        let coordinator = try Tool.start(["coordinator", "--bind", address, "--insecure", "--workers", "3", "--metrics", metrics,
                                          "--timeline", directory.appendingPathComponent("t.json").path,
                                          "--limit", "1920", "--batch", "96", "--micro-batch", "32", "--epochs", "1", "--layers", "16",
                                          "--out", directory.appendingPathComponent("m.safetensors").path],
                                         logs: directory, name: "coordinator")
        let workers = try ["w1", "w2", "w3"].map { name in
            try Tool.start(["worker", "--connect", address, "--insecure", "--name", name, "--timeout", "20"]
                           + (name == "w3" ? ["--test-delay", "0.02"] : []), logs: directory, name: name)
        }
        coordinator.waitUntilExit()
        for w in workers { w.waitUntilExit() }
        let log = Tool.log(directory, "coordinator")
        XCTAssertEqual(coordinator.terminationStatus, 0, log)
        let line = try XCTUnwrap(String(contentsOfFile: metrics, encoding: .utf8).split(separator: "\n").first)
        let epoch = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let perWorker = try XCTUnwrap(epoch["per_worker"] as? [[String: Any]], line.description)
        XCTAssertEqual(perWorker.compactMap { $0["name"] as? String }, ["w1", "w2", "w3"])
        let median = Dictionary(uniqueKeysWithValues: perWorker.map { ($0["name"] as! String, $0["compute_median_seconds"] as! Double) })
        XCTAssertGreaterThan(median["w3"]!, 0.02, "\(perWorker)")
        XCTAssertLessThan(median["w1"]!, median["w3"]! / 2, "\(perWorker)")
        for w in perWorker {
            XCTAssertEqual(w["steps"] as? Int, 20)
            XCTAssertGreaterThanOrEqual(w["compute_p95_seconds"] as! Double, w["compute_median_seconds"] as! Double)
            XCTAssertGreaterThan(w["bytes_sent"] as! Int, 20 * 4 * 1000, "each step sends at least part of the sums: \(w)")
            XCTAssertGreaterThan(w["bytes_received"] as! Int, 0)
        }
        // With the sliced exchange the others wait for w3's parts; w3 waits least.
        let waiting = Dictionary(uniqueKeysWithValues: perWorker.map { ($0["name"] as! String, $0["waiting_seconds"] as! Double) })
        XCTAssertGreaterThan(waiting["w1"]!, waiting["w3"]!, "w1 waits for w3: \(waiting)")
        XCTAssertTrue(log.contains("slowest: w3, compute"), log)
        let report = try String(contentsOfFile: directory.appendingPathComponent("m.html").path, encoding: .utf8)
        XCTAssertTrue(report.contains("<h2>Workers</h2>") && report.contains("Slowest in epoch 1: <b>w3</b>"), "the report names w3")
        for name in ["w1", "w2", "w3"] { XCTAssertTrue(report.contains("<td>\(name)</td>"), "the report's table has \(name)") }
        // The last step drawn: a lane per worker, and w3's compute bar the longest.
        XCTAssertTrue(report.contains("<h2>One step, worker by worker</h2>"), "the report draws the last step")
        func computeMilliseconds(_ name: String) -> [Double] {
            let pattern = try! NSRegularExpression(pattern: "<title>\(name): compute[^(<]*\\(compute\\), ([0-9.]+) ms</title>")
            return pattern.matches(in: report, range: NSRange(report.startIndex..., in: report)).compactMap {
                Range($0.range(at: 1), in: report).flatMap { Double(report[$0]) }
            }
        }
        let slow = computeMilliseconds("w3"), quick = computeMilliseconds("w1")
        XCTAssertFalse(slow.isEmpty || quick.isEmpty, "the step shows w1's and w3's compute")
        XCTAssertGreaterThan(slow.reduce(0, +), 20, "w3 computes for at least its 20 ms delay: \(slow)")
        XCTAssertLessThan(quick.reduce(0, +), slow.reduce(0, +), "w1 \(quick) against w3 \(slow)")
    }
}
