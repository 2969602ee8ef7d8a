import Foundation

/// A Gantt-style drawing of one stretch of time: one lane per track (the coordinator, each
/// worker), each span a bar from its start to its end, coloured by its category, and each
/// instant a tick. A span inside another of the same lane (a micro-batch inside a compute)
/// is drawn one row lower and thinner, so that nesting shows.
///
/// Times are seconds on any common clock; the axis shows milliseconds from `start`.
public struct TimelineChart: Sendable {
    public struct Span: Equatable, Sendable {
        public var lane: Int
        public var label: String
        public var category: String
        public var start: Double
        /// nil for an instant.
        public var duration: Double?

        public init(lane: Int, label: String, category: String, start: Double, duration: Double?) {
            self.lane = lane
            self.label = label
            self.category = category
            self.start = start
            self.duration = duration
        }

        var end: Double { start + (duration ?? 0) }
    }

    public var title: String
    /// Lane names, top to bottom; a span's `lane` indexes this.
    public var lanes: [String]
    public var spans: [Span]
    /// The stretch drawn; nil fits the spans.
    public var start: Double?
    public var end: Double?
    public var width: Double

    static let laneHeight = 34.0, labelWidth = 150.0, top = 40.0, axisHeight = 44.0, legendHeight = 26.0
    /// How many nested rows a lane shows; deeper spans are drawn in the last.
    static let rows = 3

    public init(title: String, lanes: [String], spans: [Span], start: Double? = nil, end: Double? = nil, width: Double = 900) {
        self.title = title
        self.lanes = lanes
        self.spans = spans.filter { lanes.indices.contains($0.lane) && $0.start.isFinite && ($0.duration ?? 0).isFinite }
        self.start = start
        self.end = end
        self.width = width
    }

    public var height: Double { Self.top + Double(max(lanes.count, 1)) * Self.laneHeight + Self.axisHeight + Self.legendHeight }

    /// The categories in the order they take colours: sorted, so that the same category has
    /// the same colour in every chart.
    public var categories: [String] { Array(Set(spans.filter { $0.duration != nil }.map(\.category))).sorted() }

    /// The range drawn, never empty.
    var range: (Double, Double) {
        let low = start ?? spans.map(\.start).min() ?? 0
        let high = end ?? spans.map(\.end).max() ?? 1
        return high > low ? (low, high) : (low, low + 1e-3)
    }

    /// Each span's nesting depth in its lane: how many earlier, longer spans of the lane still
    /// hold it. Spans sorted by start (the longer first on a tie).
    func depths() -> [(Span, Int)] {
        var result: [(Span, Int)] = []
        for lane in lanes.indices {
            let bars = spans.filter { $0.lane == lane && $0.duration != nil }
                .sorted { $0.start != $1.start ? $0.start < $1.start : $0.end > $1.end }
            var open: [Double] = []
            for bar in bars {
                while let last = open.last, last <= bar.start { open.removeLast() }
                result.append((bar, open.count))
                open.append(bar.end)
            }
        }
        return result
    }

    /// The complete SVG document.
    public func svg() -> String {
        var svg = SVGWriter()
        svg.openDocument(width: width, height: height, title: title)
        render(into: &svg)
        svg.close("svg")
        return svg.text
    }

    func render(into svg: inout SVGWriter) {
        let n = SVGWriter.number
        let (low, high) = range
        let plotLeft = Self.labelWidth, plotRight = width - 20
        let x = { (t: Double) in plotLeft + (t - low) / (high - low) * (plotRight - plotLeft) }
        let bottom = Self.top + Double(lanes.count) * Self.laneHeight
        svg.text(title, x: width / 2, y: 24, size: 15, bold: true)

        let ticks = Axis.linearTicks(over: 0...(1000 * (high - low)), target: 8)
        for tick in ticks {
            let px = x(low + tick.value / 1000)
            svg.element("line", ["x1": n(px), "y1": n(Self.top), "x2": n(px), "y2": n(bottom), "stroke": Color.gridLine.svg])
            svg.text(tick.label, x: px, y: bottom + 16, size: 11, color: .axis)
        }
        svg.text("ms", x: (plotLeft + plotRight) / 2, y: bottom + 34, size: 12, color: .axis)

        for (i, name) in lanes.enumerated() {
            let y = Self.top + Double(i) * Self.laneHeight
            if i % 2 == 1 {
                svg.element("rect", ["x": n(plotLeft), "y": n(y), "width": n(plotRight - plotLeft), "height": n(Self.laneHeight),
                                     "fill": "#f6f6f6"])
            }
            svg.text(name, x: plotLeft - 8, y: y + Self.laneHeight / 2 + 4, size: 12, anchor: "end")
        }

        let colors = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($0.element, Color.series($0.offset)) })
        let rowHeight = (Self.laneHeight - 6) / Double(Self.rows)
        for (span, depth) in depths() {
            let row = min(depth, Self.rows - 1)
            let y = Self.top + Double(span.lane) * Self.laneHeight + 3 + Double(row) * rowHeight
            let left = x(max(span.start, low)), right = x(min(span.end, high))
            guard right >= plotLeft, left <= plotRight else { continue }
            let color = colors[span.category] ?? .axis
            svg.open("rect", ["x": n(left), "y": n(y), "width": n(max(right - left, 1)), "height": n(rowHeight - 1),
                              "fill": color.svg, "fill-opacity": depth == 0 ? "0.55" : "0.9"])
            svg.element("title", [:], content: "\(lanes[span.lane]): \(span.label) (\(span.category)), "
                        + String(format: "%.3f ms", 1000 * (span.duration ?? 0)))
            svg.close("rect")
            // Named inside the bar where the name fits (about 6 px a character at this size).
            if right - left >= 6 * Double(span.label.count) + 8 {
                svg.text(span.label, x: left + 4, y: y + rowHeight - 3, size: 8, anchor: "start")
            }
        }
        for mark in spans where mark.duration == nil && mark.start >= low && mark.start <= high {
            let px = x(mark.start), y = Self.top + Double(mark.lane) * Self.laneHeight
            svg.open("path", ["d": "M\(n(px)) \(n(y + 2))L\(n(px + 4)) \(n(y + 8))L\(n(px)) \(n(y + 14))L\(n(px - 4)) \(n(y + 8))Z",
                              "fill": Color.text.svg])
            svg.element("title", [:], content: "\(lanes[mark.lane]): \(mark.label)")
            svg.close("path")
        }

        var legendX = plotLeft
        let legendY = bottom + Self.axisHeight + 8
        for category in categories {
            svg.element("rect", ["x": n(legendX), "y": n(legendY), "width": "14", "height": "10",
                                 "fill": (colors[category] ?? .axis).svg, "fill-opacity": "0.75"])
            svg.text(category, x: legendX + 18, y: legendY + 9, size: 11, anchor: "start")
            legendX += 30 + 7 * Double(category.count)
        }
    }
}
