extension Plot {
    /// Draws the chart with its top-left corner at (`originX`, `originY`); `id` makes the
    /// clip path's name unique within the document.
    func render(into svg: inout SVGWriter, originX: Double, originY: Double, id: String) {
        let ranges = ranges()
        let frame = frame(ranges: ranges)
        let n = SVGWriter.number
        svg.open("g", ["transform": "translate(\(n(originX)) \(n(originY)))"])
        svg.open("clipPath", ["id": id])
        svg.element("rect", ["x": n(frame.left), "y": n(frame.top), "width": n(frame.width), "height": n(frame.height)])
        svg.close("clipPath")

        let xTicks = (x.ticks ?? x.automaticTicks(over: ranges.x, target: max(3, Int(frame.width / 90))))
            .filter { frame.x.contains($0.value) }
        let yTicks = (y.ticks ?? y.automaticTicks(over: ranges.y, target: max(3, Int(frame.height / 60))))
            .filter { frame.y.contains($0.value) }
        drawGridLines(into: &svg, frame: frame, xTicks: xTicks, yTicks: yTicks)

        svg.open("g", ["clip-path": "url(#\(id))"])
        for layer in layers { draw(layer, into: &svg, frame: frame) }
        svg.close("g")

        drawAxes(into: &svg, frame: frame, xTicks: xTicks, yTicks: yTicks)
        if !title.isEmpty {
            svg.text(title, x: frame.left + frame.width / 2, y: 26, size: 16, bold: true)
        }
        if let bar = colorBar { drawColorBar(bar, into: &svg, frame: frame) }
        drawLegend(into: &svg, frame: frame)
        svg.close("g")
    }

    private func drawGridLines(into svg: inout SVGWriter, frame: Frame, xTicks: [Tick], yTicks: [Tick]) {
        var d = ""
        let n = SVGWriter.number
        if x.gridLines {
            for tick in xTicks { if let px = frame.px(tick.value) { d += "M\(n(px)) \(n(frame.top))V\(n(frame.bottom))" } }
        }
        if y.gridLines {
            for tick in yTicks { if let py = frame.py(tick.value) { d += "M\(n(frame.left)) \(n(py))H\(n(frame.right))" } }
        }
        if !d.isEmpty {
            svg.element("path", ["class": "grid", "d": d, "stroke": Color.gridLine.svg, "stroke-width": "1", "fill": "none"])
        }
    }

    private func drawAxes(into svg: inout SVGWriter, frame: Frame, xTicks: [Tick], yTicks: [Tick]) {
        let n = SVGWriter.number
        svg.element("rect", ["class": "frame", "x": n(frame.left), "y": n(frame.top), "width": n(frame.width),
                             "height": n(frame.height), "fill": "none", "stroke": Color.axis.svg, "stroke-width": "1"])
        var marks = ""
        for tick in xTicks { if let px = frame.px(tick.value) { marks += "M\(n(px)) \(n(frame.bottom))v5" } }
        for tick in yTicks { if let py = frame.py(tick.value) { marks += "M\(n(frame.left)) \(n(py))h-5" } }
        svg.element("path", ["class": "ticks", "d": marks, "stroke": Color.axis.svg, "stroke-width": "1"])
        for tick in xTicks {
            if let px = frame.px(tick.value) { svg.text(tick.label, x: px, y: frame.bottom + 20) }
        }
        for tick in yTicks {
            if let py = frame.py(tick.value) { svg.text(tick.label, x: frame.left - 8, y: py + 4, anchor: "end") }
        }
        if !x.label.isEmpty {
            svg.text(x.label, x: frame.left + frame.width / 2, y: frame.bottom + 44, size: 13)
        }
        if !y.label.isEmpty {
            let tickWidth = yTicks.map { Plot.textWidth($0.label, size: 12) }.max() ?? 0
            let px = frame.left - tickWidth - 22
            svg.text(y.label, x: px, y: frame.top + frame.height / 2, size: 13, rotate: -90)
        }
    }

    private func draw(_ layer: Layer, into svg: inout SVGWriter, frame: Frame) {
        let n = SVGWriter.number
        switch layer {
        case .scatter(let points, let label, let color, let shape, let radius):
            let style = Plot.markerStyle(shape, color)
            svg.open("g", ["class": "points", "data-label": label ?? "", "fill": style.fill, "stroke": style.stroke,
                           "stroke-width": style.strokeWidth])
            for point in points {
                if let (px, py) = frame.pixel(point) { svg.raw(Plot.marker(shape, x: px, y: py, radius: radius)) }
            }
            svg.close("g")
        case .line(let points, let label, let color, let width, let dashed):
            let d = SVGWriter.pathData(Plot.thinned(points.map { frame.pixel($0) }))
            svg.element("path", ["class": "line", "data-label": label ?? "", "d": d, "fill": "none",
                                 "stroke": color.svg, "stroke-width": n(width), "stroke-linejoin": "round",
                                 "stroke-dasharray": dashed ? "7 5" : ""])
        case .heatMap(let map):
            let bands = map.levels
            drawCells(map.grid, into: &svg, frame: frame, class: "heatmap") { value in
                guard let t = Plot.colorFraction(value, map) else { return nil }
                let quantised = bands.map { b in (min((t * Double(b)).rounded(.down), Double(b - 1)) + 0.5) / Double(b) }
                return map.colorMap.color(at: quantised ?? (t * 255).rounded() / 255)
            }
        case .contours(let grid, let levels, let label, let color, let width, let dashed):
            var d = ""
            for level in levels {
                for segment in Contour.segments(grid, level: level) {
                    guard let a = frame.pixel(segment.0), let b = frame.pixel(segment.1) else { continue }
                    d += "M\(n(a.0)) \(n(a.1))L\(n(b.0)) \(n(b.1))"
                }
            }
            svg.element("path", ["class": "contour", "data-label": label ?? "", "d": d, "fill": "none",
                                 "stroke": color.svg, "stroke-width": n(width), "stroke-linecap": "round",
                                 "stroke-dasharray": dashed ? "7 5" : ""])
        case .regions(let grid, let colors, _):
            drawCells(grid, into: &svg, frame: frame, class: "regions") { value in
                guard value.isFinite, !colors.isEmpty else { return nil }
                return colors[min(max(Int(value.rounded()), 0), colors.count - 1)].lightened(0.72)
            }
        case .text(let string, let point, let color, let size, let anchor):
            if let (px, py) = frame.pixel(point) {
                svg.text(string, x: px, y: py + size * 0.35, size: size, anchor: anchor, color: color)
            }
        }
    }

    /// The pixels of a line without those within half a pixel of the previous one kept (the
    /// ends of each run stay), so that a curve of 10 000 steps costs what its picture shows.
    static func thinned(_ pixels: [(Double, Double)?]) -> [(Double, Double)?] {
        var kept: [(Double, Double)?] = []
        for (k, pixel) in pixels.enumerated() {
            if let (x, y) = pixel, let last = kept.last, let (lx, ly) = last,
               k + 1 < pixels.count, pixels[k + 1] != nil, abs(x - lx) < 0.5 && abs(y - ly) < 0.5 {
                continue
            }
            kept.append(pixel)
        }
        return kept
    }

    /// Where `value` falls in the heat map's colour range, 0…1, or nil if it has no colour.
    static func colorFraction(_ value: Double, _ map: HeatMap) -> Double? {
        guard let t = map.scale.transform(value), let low = map.scale.transform(map.range.lowerBound),
              let high = map.scale.transform(map.range.upperBound) else { return nil }
        return high > low ? min(max((t - low) / (high - low), 0), 1) : 0.5
    }

    /// One rectangle per grid node, centred on it, with runs of equal colour along a row
    /// merged into one rectangle (so flat regions cost one element per row).
    private func drawCells(_ grid: Grid, into svg: inout SVGWriter, frame: Frame, class name: String,
                           color: (Double) -> Color?) {
        let n = SVGWriter.number
        let (dx, dy) = grid.spacing
        svg.open("g", ["class": name, "shape-rendering": "crispEdges"])
        for j in 0..<grid.rows {
            let y = grid.yAt(j)
            guard let top = frame.py(y + dy / 2), let bottom = frame.py(y - dy / 2) else { continue }
            var i = 0
            while i < grid.columns {
                let fill = color(grid[i, j])
                var end = i + 1
                while end < grid.columns && color(grid[end, j]) == fill { end += 1 }
                if let fill, let a = frame.px(grid.xAt(i) - dx / 2), let b = frame.px(grid.xAt(end - 1) + dx / 2) {
                    svg.element("rect", ["x": n(min(a, b)), "y": n(min(top, bottom)), "width": n(abs(b - a) + 0.5),
                                         "height": n(abs(bottom - top) + 0.5), "fill": fill.svg])
                }
                i = end
            }
        }
        svg.close("g")
    }

    private func drawColorBar(_ map: HeatMap, into svg: inout SVGWriter, frame: Frame) {
        let n = SVGWriter.number
        let left = frame.right + 18, width = 14.0
        let steps = map.levels ?? 64
        for k in 0..<steps {
            let t0 = Double(k) / Double(steps), t1 = Double(k + 1) / Double(steps)
            let y0 = frame.bottom - t1 * frame.height
            svg.element("rect", ["x": n(left), "y": n(y0), "width": n(width), "height": n(frame.height / Double(steps) + 0.5),
                                 "fill": map.colorMap.color(at: (t0 + t1) / 2).svg, "shape-rendering": "crispEdges"])
        }
        svg.element("rect", ["x": n(left), "y": n(frame.top), "width": n(width), "height": n(frame.height),
                             "fill": "none", "stroke": Color.axis.svg])
        var labelWidth = 0.0
        for tick in AxisMapping.colorBarTicks(map) {
            guard let t = Plot.colorFraction(tick.value, map) else { continue }
            let py = frame.bottom - t * frame.height
            svg.element("path", ["d": "M\(n(left + width)) \(n(py))h4", "stroke": Color.axis.svg])
            svg.text(tick.label, x: left + width + 7, y: py + 4, anchor: "start")
            labelWidth = max(labelWidth, Plot.textWidth(tick.label, size: 12))
        }
        if let label = map.label, !label.isEmpty {
            svg.text(label, x: left + width + 20 + labelWidth, y: frame.top + frame.height / 2, size: 13, rotate: 90)
        }
    }
}
