extension Plot {
    /// What a legend entry shows beside its label.
    enum Swatch {
        case marker(MarkerShape, Color)
        case line(Color, width: Double, dashed: Bool)
        case fill(Color)
    }

    /// One entry per labelled layer, and one per class of labelled regions, in layer order.
    var legendEntries: [(label: String, swatch: Swatch)] {
        var entries: [(label: String, swatch: Swatch)] = []
        for layer in layers {
            switch layer {
            case .scatter(_, let label?, let color, let shape, _):
                entries.append((label, .marker(shape, color)))
            case .line(_, let label?, let color, let width, let dashed),
                 .contours(_, _, let label?, let color, let width, let dashed):
                entries.append((label, .line(color, width: width, dashed: dashed)))
            case .regions(_, let colors, let labels?):
                for (label, color) in zip(labels, colors) { entries.append((label, .fill(color.lightened(0.72)))) }
            default:
                break
            }
        }
        return entries
    }

    static let legendRow = 20.0

    func legendSize() -> (width: Double, height: Double) {
        let entries = legendEntries
        let text = entries.map { Plot.textWidth($0.label, size: 12) }.max() ?? 0
        return (text + 48, Double(entries.count) * Plot.legendRow + 10)
    }

    func drawLegend(into svg: inout SVGWriter, frame: Frame) {
        let entries = legendEntries
        guard !entries.isEmpty, legend != .hidden else { return }
        let n = SVGWriter.number
        let (w, h) = legendSize()
        let x: Double, y: Double
        switch legend {
        case .topLeft: (x, y) = (frame.left + 10, frame.top + 10)
        case .bottomLeft: (x, y) = (frame.left + 10, frame.bottom - h - 10)
        case .bottomRight: (x, y) = (frame.right - w - 10, frame.bottom - h - 10)
        case .outside: (x, y) = (width - w - 12, frame.top)
        case .topRight, .hidden: (x, y) = (frame.right - w - 10, frame.top + 10)
        }
        svg.open("g", ["class": "legend"])
        svg.element("rect", ["x": n(x), "y": n(y), "width": n(w), "height": n(h), "rx": "4", "fill": Color.white.svg,
                             "fill-opacity": "0.9", "stroke": "#bbbbbb"])
        for (k, entry) in entries.enumerated() {
            let cy = y + 5 + Plot.legendRow * (Double(k) + 0.5)
            let cx = x + 20
            switch entry.swatch {
            case .marker(let shape, let color):
                let style = Plot.markerStyle(shape, color)
                svg.open("g", ["fill": style.fill, "stroke": style.stroke, "stroke-width": style.strokeWidth])
                svg.raw(Plot.marker(shape, x: cx, y: cy, radius: 5))
                svg.close("g")
            case .line(let color, let width, let dashed):
                svg.element("path", ["d": "M\(n(cx - 12)) \(n(cy))h24", "stroke": color.svg, "stroke-width": n(width),
                                     "stroke-dasharray": dashed ? "6 4" : ""])
            case .fill(let color):
                svg.element("rect", ["x": n(cx - 9), "y": n(cy - 7), "width": "18", "height": "14", "fill": color.svg,
                                     "stroke": "#999999"])
            }
            svg.text(entry.label, x: x + 38, y: cy + 4, anchor: "start")
        }
        svg.close("g")
    }

    /// Fill and stroke of a marker: solid shapes with a white rim (a dark one if the shape is
    /// light), to stand out on filled regions and on each other; a cross is a thick stroke.
    static func markerStyle(_ shape: MarkerShape, _ color: Color) -> (fill: String, stroke: String, strokeWidth: String) {
        if shape == .cross { return ("none", color.svg, "3") }
        let rim = color.contrastingText == .white ? Color.white : Color.text
        return (color.svg, rim.svg, "1")
    }

    /// One marker centred at (x, y) in pixels.
    static func marker(_ shape: MarkerShape, x: Double, y: Double, radius r: Double) -> String {
        let n = SVGWriter.number
        switch shape {
        case .circle:
            return "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(r))\"/>"
        case .square:
            return "<rect x=\"\(n(x - r))\" y=\"\(n(y - r))\" width=\"\(n(2 * r))\" height=\"\(n(2 * r))\"/>"
        case .diamond:
            let s = r * 1.3
            return "<path d=\"M\(n(x)) \(n(y - s))L\(n(x + s)) \(n(y))L\(n(x)) \(n(y + s))L\(n(x - s)) \(n(y))Z\"/>"
        case .cross:
            return "<path d=\"M\(n(x - r)) \(n(y - r))L\(n(x + r)) \(n(y + r))M\(n(x - r)) \(n(y + r))L\(n(x + r)) \(n(y - r))\"/>"
        }
    }
}
