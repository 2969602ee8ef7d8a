/// A point in data coordinates.
public struct Point: Equatable, Sendable {
    public var x: Double
    public var y: Double

    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }

    public var isFinite: Bool { x.isFinite && y.isFinite }
}

/// Values sampled on a regular grid of nodes over a rectangle of data space: the input of
/// heat maps, contour lines and decision regions.
///
/// Node (i, j) is at x = xMin + i·(xMax − xMin)/(columns − 1), y = yMin + j·(yMax − yMin)/(rows − 1);
/// `values[j * columns + i]` is its value, so the first row is the bottom one (lowest y).
/// A single column (or row) is one node at xMax (yMax): a confusion matrix of one class is a
/// 1×1 grid.
public struct Grid: Equatable, Sendable {
    public let x: ClosedRange<Double>
    public let y: ClosedRange<Double>
    public let columns: Int
    public let rows: Int
    public var values: [Double]

    public init(x: ClosedRange<Double>, y: ClosedRange<Double>, columns: Int, rows: Int, values: [Double]) {
        precondition(columns >= 1 && rows >= 1, "a grid needs at least one node")
        precondition(values.count == columns * rows,
                     "a \(columns)×\(rows) grid needs \(columns * rows) values, got \(values.count)")
        self.x = x
        self.y = y
        self.columns = columns
        self.rows = rows
        self.values = values
    }

    /// A grid whose values are `function` of each node, computed in one call over all nodes
    /// (row by row from the bottom) so that a model can evaluate them as one batch.
    public init(x: ClosedRange<Double>, y: ClosedRange<Double>, columns: Int, rows: Int,
                batch function: ([Point]) throws -> [Double]) rethrows {
        precondition(columns >= 1 && rows >= 1, "a grid needs at least one node")
        var nodes: [Point] = []
        nodes.reserveCapacity(columns * rows)
        for j in 0..<rows {
            for i in 0..<columns {
                nodes.append(Point(Grid.coordinate(i, of: columns, in: x), Grid.coordinate(j, of: rows, in: y)))
            }
        }
        self.init(x: x, y: y, columns: columns, rows: rows, values: try function(nodes))
    }

    /// A grid whose values are `function` of each node.
    public init(x: ClosedRange<Double>, y: ClosedRange<Double>, columns: Int, rows: Int,
                function: (Point) throws -> Double) rethrows {
        try self.init(x: x, y: y, columns: columns, rows: rows) { nodes in try nodes.map(function) }
    }

    public subscript(column: Int, row: Int) -> Double { values[row * columns + column] }

    /// The x of column `i`.
    public func xAt(_ i: Int) -> Double { Grid.coordinate(i, of: columns, in: x) }

    /// The y of row `j`.
    public func yAt(_ j: Int) -> Double { Grid.coordinate(j, of: rows, in: y) }

    /// Distance between neighbouring columns and rows: the width of a node's cell. With one
    /// node along a dimension there is no neighbour; its cell then spans the range, or one unit
    /// when the range is a single value (the grid of integer cells of a confusion matrix).
    public var spacing: (x: Double, y: Double) {
        (Grid.spacing(columns, over: x), Grid.spacing(rows, over: y))
    }

    static func spacing(_ count: Int, over range: ClosedRange<Double>) -> Double {
        let width = range.upperBound - range.lowerBound
        return count > 1 ? width / Double(count - 1) : (width > 0 ? width : 1)
    }

    /// The smallest and largest finite values, or nil when there are none.
    public var finiteRange: ClosedRange<Double>? {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return nil }
        return low...high
    }

    static func coordinate(_ i: Int, of count: Int, in range: ClosedRange<Double>) -> Double {
        i == count - 1 ? range.upperBound
            : range.lowerBound + Double(i) * (range.upperBound - range.lowerBound) / Double(count - 1)
    }
}
