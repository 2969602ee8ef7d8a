/// The course's normalisation of each feature to [-1, 1]:
///
///     x' = (x − (max + min)/2) / ((max − min)/2)
///
/// It keeps the statistics (per-feature midpoint and half-range) taken from the training
/// data, so that new inputs are normalised the same way and results can be mapped back to
/// raw units. A constant feature (max = min) has half-range 0; it is given a half-range of 1
/// so that it maps to 0 instead of dividing by zero.
public struct Normalizer: Equatable, Codable, Sendable {
    /// (max + min)/2 per feature.
    public let midpoints: [Float]
    /// (max − min)/2 per feature, or 1 where that is 0.
    public let halfRanges: [Float]

    public init(midpoints: [Float], halfRanges: [Float]) {
        precondition(midpoints.count == halfRanges.count, "one midpoint and one half-range per feature")
        self.midpoints = midpoints
        self.halfRanges = halfRanges.map { $0 == 0 ? 1 : $0 }
    }

    /// Statistics of the columns of `data`.
    public init(fitting data: Matrix) {
        precondition(data.rows > 0, "cannot normalise from no samples")
        var lows = data.row(0), highs = data.row(0)
        for i in 1..<data.rows {
            for j in 0..<data.columns {
                lows[j] = min(lows[j], data[i, j])
                highs[j] = max(highs[j], data[i, j])
            }
        }
        self.init(midpoints: zip(highs, lows).map { ($0 + $1) / 2 },
                  halfRanges: zip(highs, lows).map { ($0 - $1) / 2 })
    }

    public var featureCount: Int { midpoints.count }

    /// x' = (x − mid) / half, column by column.
    public func normalize(_ data: Matrix) -> Matrix {
        precondition(data.columns == featureCount, "fitted on \(featureCount) features, got \(data.columns)")
        var out = data
        for i in 0..<data.rows {
            for j in 0..<data.columns { out[i, j] = (data[i, j] - midpoints[j]) / halfRanges[j] }
        }
        return out
    }

    /// x = x'·half + mid: back to raw units.
    public func denormalize(_ data: Matrix) -> Matrix {
        precondition(data.columns == featureCount, "fitted on \(featureCount) features, got \(data.columns)")
        var out = data
        for i in 0..<data.rows {
            for j in 0..<data.columns { out[i, j] = data[i, j] * halfRanges[j] + midpoints[j] }
        }
        return out
    }
}

/// A straight line ŷ = w·x + b in raw units.
public struct Line: Equatable, Sendable {
    public var w: Double
    public var b: Double

    public init(w: Double, b: Double) {
        self.w = w
        self.b = b
    }

    /// The raw-unit line of a model fitted on normalised data, y' = w'·x' + b':
    /// w = w'·h_y/h_x and b = m_y + h_y·b' − w·m_x, with midpoints m and half-ranges h.
    public init(normalizedW w: Float, b: Float, x: Normalizer, y: Normalizer) {
        let hx = Double(x.halfRanges[0]), mx = Double(x.midpoints[0])
        let hy = Double(y.halfRanges[0]), my = Double(y.midpoints[0])
        let rawW = Double(w) * hy / hx
        self.init(w: rawW, b: my + hy * Double(b) - rawW * mx)
    }
}
