/// Contour lines of a grid by marching squares.
enum Contour {
    /// The segments where the grid's values cross `level`, in data coordinates.
    ///
    /// Each cell of four neighbouring nodes is cut where its edges cross the level, the
    /// crossing placed by linear interpolation along the edge. A cell whose diagonal corners
    /// lie on the same side (a saddle) is resolved by the mean of its corners, so the two
    /// lines through it never cross. Cells with a non-finite corner are skipped.
    static func segments(_ grid: Grid, level: Double) -> [(Point, Point)] {
        var segments: [(Point, Point)] = []
        for j in 0..<(grid.rows - 1) {
            for i in 0..<(grid.columns - 1) {
                // Corners counter-clockwise from the bottom left; edge k joins corner k and k+1.
                let corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]
                let values = corners.map { grid[$0.0, $0.1] }
                guard values.allSatisfy(\.isFinite) else { continue }
                let above = values.map { $0 > level }
                var crossings: [Int: Point] = [:]
                for k in 0..<4 where above[k] != above[(k + 1) % 4] {
                    let (a, b) = (corners[k], corners[(k + 1) % 4])
                    let t = (level - values[k]) / (values[(k + 1) % 4] - values[k])
                    crossings[k] = Point(grid.xAt(a.0) + t * (grid.xAt(b.0) - grid.xAt(a.0)),
                                         grid.yAt(a.1) + t * (grid.yAt(b.1) - grid.yAt(a.1)))
                }
                let edges = crossings.keys.sorted()
                if edges.count == 2 {
                    segments.append((crossings[edges[0]]!, crossings[edges[1]]!))
                } else if edges.count == 4 {
                    // A saddle. Each isolated corner k is cut off by its edges k−1 and k. The corners
                    // on the centre's side connect through the middle, so the others are isolated.
                    let centreAbove = values.reduce(0, +) / 4 > level
                    for k in 0..<4 where above[k] != centreAbove {
                        segments.append((crossings[(k + 3) % 4]!, crossings[k]!))
                    }
                }
            }
        }
        return segments
    }
}
