import Foundation
import XCTest
@testable import Plots

final class AxisTests: XCTestCase {
    func testLinearTicks_ZeroToTen_AreEvenNumbers() {
        let ticks = Axis("x").automaticTicks(over: 0...10, target: 6)
        XCTAssertEqual(ticks.map(\.value), [0, 2, 4, 6, 8, 10])
        XCTAssertEqual(ticks.map(\.label), ["0", "2", "4", "6", "8", "10"])
    }

    func testLinearTicks_SmallSteps_HaveEnoughDecimalsAndATrueMinus() {
        XCTAssertEqual(Axis("x").automaticTicks(over: -0.5...0.5, target: 5).map(\.label),
                       ["\u{2212}0.4", "\u{2212}0.2", "0.0", "0.2", "0.4"])
        XCTAssertEqual(Axis("x").automaticTicks(over: 0...1, target: 4).map(\.label), ["0.00", "0.25", "0.50", "0.75", "1.00"])
    }

    func testLogarithmicTicks_SixDecades_ArePowersOfTen() {
        let ticks = Axis("loss", scale: .logarithmic).automaticTicks(over: 1e-5...10)
        XCTAssertEqual(ticks.map(\.value), [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10].map { $0 }, accuracy: 1e-12)
        XCTAssertEqual(ticks.first?.label, "10\u{207B}\u{2075}")
        XCTAssertEqual(ticks.last?.label, "10")
    }

    func testRange_PointsOnly_AddsMarginAndGridsDoNot() {
        XCTAssertEqual(Plot.range(of: Axis("x"), values: [0, 100], grids: []), -4...104)
        XCTAssertEqual(Plot.range(of: Axis("x"), values: [0.5], grids: [-1...1]), -1...1)
        XCTAssertEqual(Plot.range(of: Axis("x", range: 3...4), values: [0, 100], grids: []), 3...4)
    }
}

final class ContourTests: XCTestCase {
    func testSegments_CircleLevel_LieOnTheCircle() {
        let grid = Grid(x: -1...1, y: -1...1, columns: 41, rows: 41) { $0.x * $0.x + $0.y * $0.y }
        let segments = Contour.segments(grid, level: 0.25)
        XCTAssertGreaterThan(segments.count, 40)
        for (a, b) in segments {
            for p in [a, b] { XCTAssertEqual((p.x * p.x + p.y * p.y).squareRoot(), 0.5, accuracy: 0.01) }
        }
    }

    func testSegments_LinearFunction_AreExactAndNoneOutsideItsValues() {
        let grid = Grid(x: 0...1, y: 0...1, columns: 5, rows: 5) { $0.x + $0.y }
        XCTAssertTrue(Contour.segments(grid, level: 3).isEmpty)
        let segments = Contour.segments(grid, level: 1.1)
        XCTAssertEqual(segments.count, 7, "x + y = 1.1 crosses 7 cells of a 4×4 grid")
        for (a, b) in segments {
            XCTAssertEqual(a.x + a.y, 1.1, accuracy: 1e-12)
            XCTAssertEqual(b.x + b.y, 1.1, accuracy: 1e-12)
        }
    }
}

final class SVGTests: XCTestCase {
    func testScatterAndLine_ParseWithPointsLineAndLabels() throws {
        var plot = Plot(title: "Life <expectancy> & exercise", x: Axis("hours"), y: Axis("years"))
        plot.scatter([Point(20, 78), Point(0, 65), Point(36, 81), Point(12, 72)], label: "table", color: .series(0))
        plot.line([Point(0, 66), Point(36, 82)], label: "model", color: .series(1))
        let svg = try XCTUnwrap(SVGElements(plot.svg()))
        XCTAssertEqual(svg.elements.first?.name, "svg")
        XCTAssertEqual(svg.named("circle").count, 4 + 1, "four points and the legend's marker")
        XCTAssertEqual(svg.named("path").filter { $0.attributes["class"] == "line" }.count, 1)
        for label in ["hours", "years", "Life <expectancy> & exercise", "table", "model"] {
            XCTAssertTrue(svg.texts.contains(label), "missing text \(label): \(svg.texts)")
        }
    }

    func testLogarithmicAxis_LeavesOutNonPositiveValues() throws {
        var plot = Plot(title: "loss", x: Axis("step"), y: Axis("loss", scale: .logarithmic))
        plot.scatter([Point(0, 1), Point(1, 0), Point(2, 0.01)], color: .series(0))
        let svg = try XCTUnwrap(SVGElements(plot.svg()))
        XCTAssertEqual(svg.named("circle").count, 2)
    }

    func testHeatMap_ConstantRows_OneRectanglePerRow() throws {
        let grid = Grid(x: 0...1, y: 0...1, columns: 30, rows: 20) { $0.y }
        var plot = Plot(title: "", x: Axis("x"), y: Axis("y"))
        plot.heatMap(grid, levels: 8)
        let svg = try XCTUnwrap(SVGElements(plot.svg()))
        let cells = svg.elements.drop { $0.attributes["class"] != "heatmap" }.dropFirst()
            .prefix { $0.name == "rect" && $0.attributes["class"] == nil }
        XCTAssertEqual(cells.count, 20)
        XCTAssertEqual(Set(cells.compactMap { $0.attributes["fill"] }).count, 8, "eight colour bands")
    }

    /// A confusion matrix of one class is a 1×1 grid: one cell, as wide as a unit, not a trap.
    func testHeatMap_SingleNode_DrawsOneUnitCell() throws {
        let grid = Grid(x: 0...0, y: 0...0, columns: 1, rows: 1, values: [3])
        XCTAssertEqual(grid.spacing.x, 1)
        XCTAssertEqual(grid.spacing.y, 1)
        var plot = Plot(title: "", x: Axis("x", range: -0.5...0.5), y: Axis("y", range: -0.5...0.5), width: 300, height: 300)
        plot.heatMap(grid)
        let svg = try XCTUnwrap(SVGElements(plot.svg()))
        let cells = svg.elements.drop { $0.attributes["class"] != "heatmap" }.dropFirst()
            .prefix { $0.name == "rect" && $0.attributes["class"] == nil }
        XCTAssertEqual(cells.count, 1)
        let width = try XCTUnwrap(cells.first?.attributes["width"].flatMap(Double.init))
        XCTAssertGreaterThan(width, 100, "the cell fills the plot's width")
    }

    func testRegions_LabelledClasses_GetLegendEntriesAndABoundary() throws {
        let grid = Grid(x: -1...1, y: -1...1, columns: 21, rows: 21) { $0.x > $0.y ? 1 : 0 }
        var plot = Plot(title: "regions", x: Axis("x₁"), y: Axis("x₂"))
        plot.regions(grid, colors: [.series(0), .series(1)], labels: ["class 0", "class 1"])
        plot.contours(grid, levels: [0.5], label: "boundary", color: .black)
        let svg = try XCTUnwrap(SVGElements(plot.svg()))
        XCTAssertTrue(svg.texts.contains("class 0") && svg.texts.contains("class 1") && svg.texts.contains("boundary"))
        let boundary = try XCTUnwrap(svg.named("path").first { $0.attributes["class"] == "contour" })
        XCTAssertFalse(boundary.attributes["d", default: ""].isEmpty)
    }

    func testFigure_TwoPlots_HaveDistinctClipPathsAndWrite() throws {
        let a = Plot(title: "a", x: Axis("x"), y: Axis("y"), width: 300, height: 200)
        let b = Plot(title: "b", x: Axis("x"), y: Axis("y"), width: 400, height: 250)
        let figure = Figure(title: "both", plots: [a, b])
        XCTAssertEqual(figure.size.width, 700)
        XCTAssertEqual(figure.size.height, 250 + 36)
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("plots-test-\(UUID().uuidString)/nested/figure.svg")
        try figure.write(to: url)
        let svg = try XCTUnwrap(SVGElements(try String(contentsOf: url, encoding: .utf8)))
        XCTAssertEqual(Set(svg.named("clipPath").compactMap { $0.attributes["id"] }).count, 2)
        try? FileManager.default.removeItem(at: url.deletingLastPathComponent().deletingLastPathComponent())
    }

    func testNumber_RoundsToHundredthsWithoutTrailingZeros() {
        XCTAssertEqual(SVGWriter.number(12.5), "12.5")
        XCTAssertEqual(SVGWriter.number(3.0001), "3")
        XCTAssertEqual(SVGWriter.number(-0.07), "-0.07")
        XCTAssertEqual(SVGWriter.number(1.005 + 1e-9), "1.01")
        XCTAssertEqual(SVGWriter.number(-3e30), "-10000000", "clamped, not a crash")
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double,
                            file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(a) and \(b) differ in length", file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy * max(1, abs(y)), file: file, line: line) }
}

final class LineTests: XCTestCase {
    func testThinned_DenseCurve_KeepsEndsAndBreaks() {
        let dense: [(Double, Double)?] = (0..<1000).map { (Double($0) * 0.01, 5) } + [nil, (50, 50), (50.1, 50.1)]
        let kept = Plot.thinned(dense)
        XCTAssertLessThan(kept.count, 30)
        XCTAssertEqual(kept.first!!.0, 0)
        XCTAssertEqual(kept[kept.count - 4]!.0, 9.99, accuracy: 1e-9, "the run's last point stays")
        XCTAssertNil(kept[kept.count - 3], "the break stays")
        XCTAssertEqual(kept.last!!.0, 50.1, "the last point stays")
    }
}
