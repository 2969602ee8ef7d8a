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
}
