import Foundation

/// The shape drawn for each point of a scatter series.
public enum MarkerShape: Sendable {
    case circle, square, diamond, cross
}

/// Where a plot's legend goes.
public enum LegendPosition: Sendable {
    case topRight, topLeft, bottomRight, bottomLeft
    /// Beside the plot area, on the right, so that it never covers data.
    case outside
    case hidden
}

/// One chart: two axes, a title, and layers drawn in the order they were added (so add
/// filled areas first, then lines, then points). Layers with a label get a legend entry.
///
///     var plot = Plot(title: "Life expectancy", x: Axis("hours"), y: Axis("years"))
///     plot.scatter(points, label: "data", color: .series(0))
///     plot.line([Point(0, 66), Point(36, 82)], label: "ŷ = 0.45x + 66", color: .series(1))
///     try plot.write(to: url)
///
/// A `Figure` puts several plots side by side in one SVG file.
public struct Plot: Sendable {
    public var title: String
    public var x: Axis
    public var y: Axis
    /// The size of the whole chart in pixels, titles and legend included.
    public var width: Double
    public var height: Double
    public var legend: LegendPosition
    var layers: [Layer] = []

    public init(title: String, x: Axis, y: Axis, width: Double = 640, height: Double = 460,
                legend: LegendPosition = .topRight) {
        self.title = title
        self.x = x
        self.y = y
        self.width = width
        self.height = height
        self.legend = legend
    }

    enum Layer: Sendable {
        case scatter(points: [Point], label: String?, color: Color, shape: MarkerShape, radius: Double)
        case line(points: [Point], label: String?, color: Color, width: Double, dashed: Bool)
        case heatMap(HeatMap)
        case contours(grid: Grid, levels: [Double], label: String?, color: Color, width: Double, dashed: Bool)
        case regions(grid: Grid, colors: [Color], labels: [String]?)
        case text(String, at: Point, color: Color, size: Double, anchor: String)
    }

    /// A heat map and how its values become colours.
    struct HeatMap: Sendable {
        var grid: Grid
        var colorMap: ColorMap
        var scale: Scale
        var range: ClosedRange<Double>
        var levels: Int?
        var label: String?
    }

    /// Points drawn as markers (circles by default, each an SVG `circle`).
    public mutating func scatter(_ points: [Point], label: String? = nil, color: Color,
                                 shape: MarkerShape = .circle, radius: Double = 4.5) {
        layers.append(.scatter(points: points, label: label, color: color, shape: shape, radius: radius))
    }

    /// A line through `points` in order (one SVG `path`); a non-finite point breaks it.
    public mutating func line(_ points: [Point], label: String? = nil, color: Color,
                              width: Double = 2.5, dashed: Bool = false) {
        layers.append(.line(points: points, label: label, color: color, width: width, dashed: dashed))
    }

    /// The grid's values as coloured cells. Values map linearly (or logarithmically, with
    /// `scale`) from `range` (default: the finite values' range) onto `colorMap`. With
    /// `levels`, colours come in that many bands, like filled contours; nil keeps them
    /// continuous. With a `label`, a colour bar beside the plot explains the colours.
    public mutating func heatMap(_ grid: Grid, colorMap: ColorMap = .viridis, scale: Scale = .linear,
                                 range: ClosedRange<Double>? = nil, levels: Int? = nil, label: String? = nil) {
        let values = grid.values.filter { scale.transform($0) != nil }
        let range = range ?? (values.min() ?? 0)...(values.max() ?? 1)
        layers.append(.heatMap(HeatMap(grid: grid, colorMap: colorMap, scale: scale, range: range,
                                       levels: levels, label: label)))
    }

    /// Lines where the grid's values cross each of `levels` (marching squares), as one
    /// SVG `path`. A decision boundary is the contour of p = 0.5.
    public mutating func contours(_ grid: Grid, levels: [Double], label: String? = nil, color: Color = .axis,
                                  width: Double = 1.2, dashed: Bool = false) {
        layers.append(.contours(grid: grid, levels: levels, label: label, color: color, width: width, dashed: dashed))
    }

    /// Filled areas: each grid node's value, rounded, is a class index into `colors`, which are
    /// drawn pale so that points stay visible on top. `labels` adds one legend entry per class.
    public mutating func regions(_ grid: Grid, colors: [Color], labels: [String]? = nil) {
        precondition(labels == nil || labels!.count == colors.count, "one label per region colour")
        layers.append(.regions(grid: grid, colors: colors, labels: labels))
    }

    /// Text at a point in data coordinates; `anchor` is "start", "middle" or "end".
    public mutating func text(_ string: String, at point: Point, color: Color = .text, size: Double = 12,
                              anchor: String = "middle") {
        layers.append(.text(string, at: point, color: color, size: size, anchor: anchor))
    }

    /// The plot as a complete SVG document.
    public func svg() -> String { Figure(plots: [self]).svg() }

    /// Writes the SVG document to `url`, creating its directory if needed.
    public func write(to url: URL) throws { try Figure(plots: [self]).write(to: url) }
}
