extension MNISTPreprocessing {
    /// P5's paper level and noise of `samples` of f: p = median, σ = max(½, 1.4826·MAD), both
    /// recomputed three times over the samples with f ≤ p + 3σ. 1.4826·MAD is σ for Gaussian
    /// noise, and neither the median nor the MAD moves much for ink that is under half of the
    /// samples; the clipping takes the ink out so that σ is the paper's alone.
    static func paperLevel(_ samples: [Float]) -> (level: Float, noise: Float) {
        var kept = samples
        var level: Float = 0, noise: Float = 0.5
        for round in 0...3 {
            if round > 0 { kept = kept.filter { $0 <= level + 3 * noise } }
            level = median(kept)
            noise = max(0.5, 1.4826 * median(kept.map { abs($0 - level) }))
        }
        return (level, noise)
    }

    /// The middle element of `values` once sorted (the upper one of the two for an even count).
    static func median(_ values: [Float]) -> Float {
        precondition(!values.isEmpty, "the median of nothing")
        return values.sorted()[values.count / 2]
    }

    /// Otsu's threshold of `values` (all in lower…upper): with the values in 1024 bins of equal
    /// width over that range, the bin edge t that maximises the between-class variance
    /// ω₀ω₁(μ₀ − μ₁)², ω and μ being the share and mean of each side. Values above t are the
    /// ink. `lower` when no edge separates anything (all values in one bin); below `upper`, which
    /// must be above `lower`.
    static func otsuThreshold(_ values: [Float], lower: Float, upper: Float) -> Float {
        precondition(upper > lower, "Otsu's threshold of values in \(lower)…\(upper)")
        let bins = 1024
        let width = max(upper - lower, .leastNormalMagnitude) / Float(bins)
        var histogram = [Double](repeating: 0, count: bins)
        for value in values { histogram[Int(min(Float(bins - 1), max(0, (value - lower) / width)))] += 1 }
        let total = Double(values.count)
        let totalSum = histogram.indices.reduce(0.0) { $0 + Double($1) * histogram[$1] }
        var best = -1, bestVariance = 0.0
        var below = 0.0, belowSum = 0.0
        for k in 0..<(bins - 1) {
            below += histogram[k]
            belowSum += Double(k) * histogram[k]
            guard below > 0 && below < total else { continue }
            let w0 = below / total, mu0 = belowSum / below, mu1 = (totalSum - belowSum) / (total - below)
            let variance = w0 * (1 - w0) * (mu0 - mu1) * (mu0 - mu1)
            if variance > bestVariance { best = k; bestVariance = variance }
        }
        // Below upper even after rounding, so that the largest value is always above t.
        return min(lower + Float(best + 1) * width, upper.nextDown)
    }

    /// P6: which pixels belong to an ink region, an 8-connected region of pixels with
    /// f ≥ `low` that holds at least one pixel with f > `strong` and has at least 1/20 of the
    /// pixels of the largest such region (hysteresis thresholding, as in Canny's edge detector).
    static func inkRegions(_ flat: [Float], width: Int, height: Int, low: Float, strong: Float) -> [Bool] {
        // Int32 labels: a 12-megapixel photo needs 48 MB for them, not 96.
        var region = [Int32](repeating: -1, count: flat.count)
        var areas: [Int] = [], holdsStrong: [Bool] = []
        var stack: [Int] = []
        for start in flat.indices where region[start] < 0 && flat[start] >= low {
            let label = Int32(areas.count)
            var area = 0, strongSeen = false
            region[start] = label
            stack.append(start)
            while let i = stack.popLast() {
                area += 1
                strongSeen = strongSeen || flat[i] > strong
                let x = i % width, y = i / width
                for ny in max(0, y - 1)...min(height - 1, y + 1) {
                    for nx in max(0, x - 1)...min(width - 1, x + 1) {
                        let j = ny * width + nx
                        if region[j] < 0 && flat[j] >= low { region[j] = label; stack.append(j) }
                    }
                }
            }
            areas.append(area)
            holdsStrong.append(strongSeen)
        }
        let largest = areas.indices.filter { holdsStrong[$0] }.map { areas[$0] }.max() ?? 0
        let keep = areas.indices.map { holdsStrong[$0] && 20 * areas[$0] >= largest }
        return region.map { $0 >= 0 && keep[Int($0)] }
    }
}
