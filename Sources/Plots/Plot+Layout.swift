/// One axis's map from data values to a fraction of the plot area's length.
struct AxisMapping {
    var scale: Scale
    /// The visible range, in the scale's linear space (log₁₀ for a logarithmic axis).
    var low: Double
    var high: Double
    var reversed: Bool

    init(axis: Axis, range: ClosedRange<Double>) {
        scale = axis.scale
        low = scale.transform(range.lowerBound) ?? 0
        high = scale.transform(range.upperBound) ?? 1
        if high <= low { high = low + 1 }
        reversed = axis.reversed
    }

    /// 0 at the start of the axis (left or bottom), 1 at its end; nil if unplaceable.
    func fraction(_ value: Double) -> Double? {
        guard let t = scale.transform(value) else { return nil }
        let f = (t - low) / (high - low)
        return reversed ? 1 - f : f
    }

    func contains(_ value: Double) -> Bool {
        guard let f = fraction(value) else { return false }
        return f >= -1e-9 && f <= 1 + 1e-9
    }
}

/// The plot area in pixels and the maps into it.
struct Frame {
    var left: Double
    var top: Double
    var width: Double
    var height: Double
    var x: AxisMapping
    var y: AxisMapping

    var right: Double { left + width }
    var bottom: Double { top + height }

    func px(_ value: Double) -> Double? { x.fraction(value).map { left + $0 * width } }
    func py(_ value: Double) -> Double? { y.fraction(value).map { bottom - $0 * height } }

    func pixel(_ point: Point) -> (Double, Double)? {
        guard let px = px(point.x), let py = py(point.y) else { return nil }
        return (px, py)
    }
}

extension Plot {
    /// The visible x and y ranges: the axes' own, or the data's. Around points and lines a
    /// margin of 4% keeps markers off the frame; grids fill the plot exactly.
    func ranges() -> (x: ClosedRange<Double>, y: ClosedRange<Double>) {
        var xs: [Double] = [], ys: [Double] = []
        var xGrids: [ClosedRange<Double>] = [], yGrids: [ClosedRange<Double>] = []
        for layer in layers {
            switch layer {
            case .scatter(let points, _, _, _, _), .line(let points, _, _, _, _):
                xs += points.map(\.x)
                ys += points.map(\.y)
            case .text(_, let point, _, _, _):
                xs.append(point.x)
                ys.append(point.y)
            case .heatMap(let map):
                xGrids.append(map.grid.x)
                yGrids.append(map.grid.y)
            case .contours(let grid, _, _, _, _, _), .regions(let grid, _, _):
                xGrids.append(grid.x)
                yGrids.append(grid.y)
            }
        }
        return (Plot.range(of: x, values: xs, grids: xGrids), Plot.range(of: y, values: ys, grids: yGrids))
    }

    static func range(of axis: Axis, values: [Double], grids: [ClosedRange<Double>]) -> ClosedRange<Double> {
        if let range = axis.range { return range }
        let scale = axis.scale
        var transformed = values.compactMap(scale.transform)
        transformed += (axis.ticks ?? []).compactMap { scale.transform($0.value) }
        var low = transformed.min() ?? .infinity, high = transformed.max() ?? -.infinity
        if grids.isEmpty, low <= high {
            let margin = high > low ? 0.04 * (high - low) : (scale == .linear ? max(abs(low) * 0.1, 1) : 0.5)
            low -= margin
            high += margin
        }
        for grid in grids {
            if let a = scale.transform(grid.lowerBound), let b = scale.transform(grid.upperBound) {
                low = min(low, a)
                high = max(high, b)
            }
        }
        if !(low < high) { (low, high) = low.isFinite ? (low - 1, low + 1) : (0, 1) }
        return scale.inverse(low)...scale.inverse(high)
    }

    /// The heat map whose colours need a colour bar, if any.
    var colorBar: HeatMap? {
        for case .heatMap(let map) in layers where map.label != nil { return map }
        return nil
    }

    /// Pixels a line of `text` takes at `size`: an estimate (0.6 em a character) that is
    /// close enough for DejaVu Sans and Helvetica to keep labels from overlapping.
    static func textWidth(_ text: String, size: Double) -> Double { Double(text.count) * size * 0.6 }

    /// Where the plot area goes inside a `width × height` chart, leaving room for the title,
    /// tick labels, axis titles, a colour bar and an outside legend.
    func frame(ranges: (x: ClosedRange<Double>, y: ClosedRange<Double>)) -> Frame {
        let yTicks = y.ticks ?? y.automaticTicks(over: ranges.y)
        let tickWidth = yTicks.map { Plot.textWidth($0.label, size: 12) }.max() ?? 0
        let left = tickWidth + (y.label.isEmpty ? 18 : 40)
        var right = 24.0
        if let bar = colorBar {
            let labels = AxisMapping.colorBarTicks(bar).map { Plot.textWidth($0.label, size: 12) }.max() ?? 0
            right += 40 + labels + (bar.label?.isEmpty == false ? 22 : 0)
        }
        if legend == .outside { right += legendSize().width + 12 }
        let top = title.isEmpty ? 16.0 : 42
        let bottom = x.label.isEmpty ? 32.0 : 54
        let xMapping = AxisMapping(axis: x, range: ranges.x), yMapping = AxisMapping(axis: y, range: ranges.y)
        return Frame(left: left, top: top, width: max(width - left - right, 40), height: max(height - top - bottom, 40),
                     x: xMapping, y: yMapping)
    }
}

extension AxisMapping {
    /// Ticks for a heat map's colour bar, in its value scale.
    static func colorBarTicks(_ map: Plot.HeatMap) -> [Tick] {
        Axis("", scale: map.scale).automaticTicks(over: map.range, target: 6)
    }
}
