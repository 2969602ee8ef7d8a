import Foundation
import XCTest
@testable import DataParallel

/// The timeline file's format: escaped names, µs times, a closed JSON array.
final class TimelineTests: XCTestCase {
    func testTimeline_EscapesNamesAndClosesAsJSON() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("timeline-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let timeline = try Timeline(path: path, origin: 0, flushEvery: 2)
        timeline.name(track: 3, "w\"3\n\u{1B}")
        timeline.span("compute 0+1", category: "compute", track: 3, from: 0.001, to: 0.0015, args: ["why": "a\\b"])
        timeline.instant("dropped", category: "membership", track: 3, at: 0.002, args: ["reason": "no reply for 5.0 s"])
        timeline.close()
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let events = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        XCTAssertEqual(events.count, 6)
        XCTAssertEqual((events[2]["args"] as? [String: Any])?["name"] as? String, "w\"3\n\u{1B}")
        XCTAssertEqual(events[4]["ts"] as? Double, 1000)
        XCTAssertEqual(events[4]["dur"] as? Double, 500)
        XCTAssertEqual((events[5]["args"] as? [String: Any])?["reason"] as? String, "no reply for 5.0 s")
    }

    /// What a timeline wrote reads back as the same events and names; so does a file whose
    /// run stopped before closing it (no `]`, half a line), and the longest step is found.
    func testTrace_ReadsBackWhatWasWritten_ClosedOrNot() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("trace-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let timeline = try Timeline(path: path, origin: 0, flushEvery: 1)
        timeline.name(track: 1, "w\"1")
        timeline.span("step 1.1", category: "step", track: 0, from: 0, to: 0.004)
        timeline.span("compute 0", category: "compute", track: 1, from: 0.001, to: 0.002, args: ["node": "0"])
        timeline.span("step 1.2", category: "step", track: 0, from: 0.004, to: 0.010)
        timeline.instant("dropped", category: "membership", track: 1, at: 0.011, args: ["reason": "gone"])
        timeline.span("step 1.3", category: "step", track: 0, from: 0.012, to: 0.014)
        timeline.flush()
        let unclosed = try Data(contentsOf: URL(fileURLWithPath: path))
        timeline.close()
        let closed = try Data(contentsOf: URL(fileURLWithPath: path))
        for (label, data) in [("closed", closed), ("unclosed", unclosed), ("half a line", unclosed + Data(",\n{\"ph\":\"X\",\"pid\":1,\"ti".utf8))] {
            let trace = try Timeline.Trace(data: data, name: label)
            XCTAssertEqual(trace.trackNames, [0: "coordinator", 1: "w\"1"], label)
            XCTAssertEqual(trace.steps.map(\.name), ["step 1.1", "step 1.2", "step 1.3"], label)
            XCTAssertEqual(trace.events.count, 5, label)
            let compute = try XCTUnwrap(trace.events.first { $0.name == "compute 0" })
            XCTAssertEqual(compute.start, 0.001, accuracy: 1e-9)
            XCTAssertEqual(try XCTUnwrap(compute.duration), 0.001, accuracy: 1e-9)
            XCTAssertEqual(compute.args, ["node": "0"])
            XCTAssertNil(trace.events.first { $0.name == "dropped" }?.duration, label)
            let slowest = try StepTimeline(trace: trace, step: nil, file: label)
            XCTAssertEqual(slowest.step.name, "step 1.2", label)
            XCTAssertEqual(slowest.events.map(\.name), ["step 1.1"], "\(label): only what overlaps step 1.2 (step 1.1 ends as it starts)")
            XCTAssertEqual(slowest.tracks.map(\.name), ["coordinator"], label)
            XCTAssertEqual(try StepTimeline(trace: trace, step: "step 1.1", file: label).events.map(\.name), ["compute 0", "step 1.2"], label)
        }
    }

    /// Forged or broken traces are refused with the file and the event named.
    func testTrace_RefusesWhatATimelineNeverWrites() {
        let cases: [(String, String)] = [
            ("{}", "not a timeline written by --timeline"),
            ("[1]", "event 1: not an event"),
            (#"[{"ph":"X","tid":0,"cat":"step","name":"step 1.1","ts":5}]"#, #"event 1: its "dur" is missing"#),
            (#"[{"ph":"X","tid":0,"cat":"step","name":"step 1.1","ts":5,"dur":-1}]"#, "is not a span"),
            (#"[{"ph":"X","tid":"zero","cat":"step","name":"step 1.1","ts":5,"dur":1}]"#, #"its "tid" is missing or not a number"#),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try Timeline.Trace(data: Data(text.utf8), name: "t.json"), text) { error in
                XCTAssertTrue("\(error)".hasPrefix("t.json") && "\(error)".contains(expected), "\(text): \(error)")
            }
        }
        let empty = try? Timeline.Trace(data: Data(#"[{"ph":"M","pid":1,"tid":0,"name":"thread_name","args":{"name":"coordinator"}}]"#.utf8), name: "t.json")
        XCTAssertThrowsError(try StepTimeline(trace: XCTUnwrap(empty), step: nil, file: "t.json")) { error in
            XCTAssertTrue("\(error)".contains("t.json has no steps"), "\(error)")
        }
        XCTAssertThrowsError(try StepTimeline(trace: XCTUnwrap(empty), step: "step 1.1", file: "t.json"))
    }
}
