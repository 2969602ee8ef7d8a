import XCTest
@testable import Plots

final class TimelineChartTests: XCTestCase {
    /// A step of 10 ms: the coordinator's step span holding a send, two workers each with a
    /// compute holding two micro-batches, and a drop instant.
    func chart() -> TimelineChart {
        let spans: [TimelineChart.Span] = [
            .init(lane: 0, label: "step 1.1", category: "step", start: 1.000, duration: 0.010),
            .init(lane: 0, label: "send", category: "communication", start: 1.000, duration: 0.001),
            .init(lane: 1, label: "compute", category: "compute", start: 1.001, duration: 0.006),
            .init(lane: 1, label: "micro-batch 0", category: "compute", start: 1.001, duration: 0.003),
            .init(lane: 1, label: "micro-batch 1", category: "compute", start: 1.004, duration: 0.003),
            .init(lane: 2, label: "compute", category: "compute", start: 1.001, duration: 0.008),
            .init(lane: 2, label: "dropped", category: "membership", start: 1.009, duration: nil),
        ]
        return TimelineChart(title: "step 1.1: 10 ms", lanes: ["coordinator", "w0", "w1 <slow>"], spans: spans, start: 1.0, end: 1.01)
    }

    func testEveryLaneAndSpanIsDrawnAndNamed() throws {
        let svg = chart().svg()
        let elements = try XCTUnwrap(SVGElements(svg))
        XCTAssertTrue(elements.texts.contains("coordinator"))
        XCTAssertTrue(elements.texts.contains("w1 <slow>"), "a lane's name is escaped, not dropped")
        let titles = elements.named("title").map(\.text)
        XCTAssertEqual(titles.filter { $0.hasPrefix("w0: micro-batch") }.count, 2)
        XCTAssertTrue(titles.contains("w1 <slow>: compute (compute), 8.000 ms"), "\(titles)")
        XCTAssertTrue(titles.contains("w1 <slow>: dropped"), "the instant is drawn with its name")
        // The legend lists the span categories once each, sorted; instants have none.
        XCTAssertEqual(chart().categories, ["communication", "compute", "step"])
        for category in chart().categories { XCTAssertTrue(elements.texts.contains(category)) }
    }

    func testNestedSpansAreDrawnOneRowLower() {
        let depths = chart().depths().map { ($0.0.lane, $0.0.label, $0.1) }
        let w0 = depths.filter { $0.0 == 1 }.map { "\($0.1)@\($0.2)" }
        XCTAssertEqual(w0, ["compute@0", "micro-batch 0@1", "micro-batch 1@1"])
        let coordinator = depths.filter { $0.0 == 0 }.map { "\($0.1)@\($0.2)" }
        XCTAssertEqual(coordinator, ["step 1.1@0", "send@1"])
    }

    func testBarsSpanTheirTimesOnTheAxis() throws {
        let c = chart()
        let elements = try XCTUnwrap(SVGElements(c.svg()))
        // The bar of w1's compute (1 ms to 9 ms of 10) on a plot from 150 to width − 20.
        let plotWidth = c.width - 20 - 150
        let bars = elements.named("rect").filter { $0.attributes["fill-opacity"] != nil && $0.attributes["width"] != "14" }
        XCTAssertEqual(bars.count, 6, "one bar per span, none for the instant")
        let widths = bars.compactMap { Double($0.attributes["width"] ?? "") }
        XCTAssertTrue(widths.contains { abs($0 - 0.8 * plotWidth) < 0.02 }, "\(widths)")
        XCTAssertTrue(widths.contains { abs($0 - plotWidth) < 0.02 }, "the step spans the whole axis")
        XCTAssertTrue(elements.texts.contains("10"), "the axis is in ms from the step's start")
    }

    func testAnEmptyOrDegenerateTimelineStillDraws() throws {
        let empty = TimelineChart(title: "nothing", lanes: [], spans: [])
        XCTAssertNotNil(SVGElements(empty.svg()))
        let odd = TimelineChart(title: "odd", lanes: ["a"], spans: [
            .init(lane: 5, label: "no such lane", category: "x", start: 0, duration: 1),
            .init(lane: 0, label: "nan", category: "x", start: .nan, duration: 1),
            .init(lane: 0, label: "instant only", category: "x", start: 2, duration: nil),
        ])
        XCTAssertEqual(odd.spans.map(\.label), ["instant only"], "spans outside the lanes or with no time are left out")
        XCTAssertNotNil(SVGElements(odd.svg()))
    }
}
