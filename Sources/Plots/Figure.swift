import Foundation

/// One SVG document holding one or more plots in a grid, left to right then top to bottom,
/// with an optional title above them all.
public struct Figure: Sendable {
    public var title: String
    public var plots: [Plot]
    /// Plots per row.
    public var columns: Int

    public init(title: String = "", plots: [Plot], columns: Int? = nil) {
        precondition(!plots.isEmpty, "a figure needs at least one plot")
        self.title = title
        self.plots = plots
        self.columns = max(1, min(columns ?? plots.count, plots.count))
    }

    /// The document's size: each row as tall as its tallest plot, each column as wide as its widest.
    public var size: (width: Double, height: Double) {
        let layout = self.layout()
        return (layout.widths.reduce(0, +), layout.heights.reduce(0, +) + titleHeight)
    }

    private var titleHeight: Double { title.isEmpty ? 0 : 36 }

    private func layout() -> (widths: [Double], heights: [Double]) {
        let rows = (plots.count + columns - 1) / columns
        var widths = [Double](repeating: 0, count: columns), heights = [Double](repeating: 0, count: rows)
        for (k, plot) in plots.enumerated() {
            widths[k % columns] = max(widths[k % columns], plot.width)
            heights[k / columns] = max(heights[k / columns], plot.height)
        }
        return (widths, heights)
    }

    /// The complete SVG document.
    public func svg() -> String {
        let (width, height) = size
        let layout = self.layout()
        var svg = SVGWriter()
        svg.openDocument(width: width, height: height, title: title.isEmpty ? plots.map(\.title).joined(separator: "; ") : title)
        if !title.isEmpty { svg.text(title, x: width / 2, y: 26, size: 18, bold: true) }
        for (k, plot) in plots.enumerated() {
            let column = k % columns, row = k / columns
            plot.render(into: &svg, originX: layout.widths[..<column].reduce(0, +),
                       originY: titleHeight + layout.heights[..<row].reduce(0, +), id: "plot\(k)-clip")
        }
        svg.close("svg")
        return svg.text
    }

    /// Writes the SVG document to `url`, creating its directory if needed.
    public func write(to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(svg().utf8).write(to: url, options: .atomic)
    }
}
