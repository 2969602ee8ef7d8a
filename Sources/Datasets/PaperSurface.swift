/// The paper under a photographed digit, in ink polarity (0 = white paper): step P3 of
/// `MNISTPreprocessing.photoInk`.
///
/// B(x, y) = Σ_{i+j≤3} a_ij·xⁱ·yʲ with x, y scaled to [−1, 1] (so that the powers stay
/// near 1 and the 10×10 normal equations are well conditioned), fitted by least squares to
/// samples of v on a grid of step ⌈max(w, h)/32⌉ (about 32 along the longer side, some
/// 1000 samples for 10 coefficients; every pixel would cost a hundred times more for the
/// same surface: steps of 2 and 4 on 112×112 photos gave the same results).
/// The fit is robust to the ink, which is only ever above the paper: it starts from the
/// samples at or below their median (paper is most of a photo of a digit), then 6 times fits
/// and keeps the samples whose residual r = v − B is below median(r) + 2.5·1.4826·MAD(r)
/// over the samples kept. Started from all samples, a bold '0' pulled the first fit up and
/// was never clipped (lost in 4 of 5 kinds of photo); 3 rounds instead of 6 lost a small digit.
///
/// A cubic and not a plane, because a linear gradient times a vignette (1 − c·r²) is cubic;
/// a quadratic did as well on the photos tried, a quartic no better. A surface and not a
/// blur or a morphological closing, because those follow a bold digit's ink or go wrong
/// within their radius of the image's edges (see `photoInk`). The price: lighting that is
/// not smooth, such as a sharp shadow across the paper, is left in.
struct PaperSurface {
    /// The exponents (i, j) of each term xⁱyʲ, i + j ≤ 3.
    static let terms = [(0, 0), (1, 0), (0, 1), (2, 0), (1, 1), (0, 2), (3, 0), (2, 1), (1, 2), (0, 3)]

    let width: Int
    let height: Int
    /// a_ij, in the order of `terms`.
    let coefficients: [Double]

    /// The step of the sample grid for a `width`×`height` image: about 32 samples along the
    /// longer side, some 1000 for 10 coefficients.
    static func sampleStep(width: Int, height: Int) -> Int {
        max(1, (max(width, height) + 31) / 32)
    }

    /// Pixel index `i` of `count` scaled to [−1, 1] (0 for a single pixel).
    static func scaled(_ i: Int, _ count: Int) -> Double {
        count > 1 ? 2 * Double(i) / Double(count - 1) - 1 : 0
    }

    /// xⁱyʲ for each of `terms`, in that order.
    static func powers(_ x: Double, _ y: Double) -> [Double] {
        [1, x, y, x * x, x * y, y * y, x * x * x, x * x * y, x * y * y, y * y * y]
    }

    /// The surface fitted to the paper of `v` (`width`×`height`, row by row).
    static func fit(_ v: [Float], width: Int, height: Int) -> PaperSurface {
        let n = terms.count, step = sampleStep(width: width, height: height)
        // The design matrix, one row of powers per sample, and the samples' values.
        var design: [Double] = [], values: [Double] = []
        for y in stride(from: 0, to: height, by: step) {
            for x in stride(from: 0, to: width, by: step) {
                design += powers(scaled(x, width), scaled(y, height))
                values.append(Double(v[y * width + x]))
            }
        }
        let start = values.sorted()[values.count / 2]
        var kept = values.map { $0 <= start }
        var coefficients = [Double](repeating: 0, count: n)
        var residuals = [Double](repeating: 0, count: values.count)
        for _ in 0..<6 {
            coefficients = leastSquares(design, values, kept)
            var keptResiduals: [Double] = []
            for s in 0..<values.count {
                var b = 0.0
                for k in 0..<n { b += design[s * n + k] * coefficients[k] }
                residuals[s] = values[s] - b
                if kept[s] { keptResiduals.append(residuals[s]) }
            }
            keptResiduals.sort()
            let middle = keptResiduals[keptResiduals.count / 2]
            var deviations = keptResiduals
            for i in deviations.indices { deviations[i] = abs(deviations[i] - middle) }
            deviations.sort()
            let limit = middle + 2.5 * max(0.5, 1.4826 * deviations[deviations.count / 2])
            for s in 0..<values.count { kept[s] = residuals[s] < limit }
        }
        return PaperSurface(width: width, height: height, coefficients: coefficients)
    }

    /// B at every pixel, row by row, clamped to 0…255. Each row's cubic in x is collapsed
    /// first (c_i = Σ_j a_ij·yʲ), then evaluated by Horner's rule.
    func values() -> [Float] {
        var result = [Float](repeating: 0, count: width * height)
        for y in 0..<height {
            let yy = Self.scaled(y, height)
            let yPowers = [1, yy, yy * yy, yy * yy * yy]
            var c = [Double](repeating: 0, count: 4)
            for (k, (i, j)) in Self.terms.enumerated() { c[i] += coefficients[k] * yPowers[j] }
            for x in 0..<width {
                let xx = Self.scaled(x, width)
                let b = c[0] + xx * (c[1] + xx * (c[2] + xx * c[3]))
                result[y * width + x] = Float(min(255, max(0, b)))
            }
        }
        return result
    }

    /// The coefficients minimising Σ (value − row·a)² over the samples where `kept` holds
    /// (`design` holds one row of `terms.count` powers per sample): the normal equations
    /// (AᵀA + λI)·a = Aᵀv, solved by Cholesky. The ridge λ = 10⁻⁹·trace/n + 10⁻¹² keeps them
    /// solvable when the samples cannot tell some terms apart (an image one pixel wide, or
    /// fewer samples than terms), and then gives those terms 0.
    static func leastSquares(_ design: [Double], _ values: [Double], _ kept: [Bool]) -> [Double] {
        let n = terms.count
        var normal = [Double](repeating: 0, count: n * n), right = [Double](repeating: 0, count: n)
        for s in 0..<values.count where kept[s] {
            for a in 0..<n {
                let ra = design[s * n + a]
                right[a] += ra * values[s]
                for b in 0...a { normal[a * n + b] += ra * design[s * n + b] }
            }
        }
        let ridge = 1e-9 * (0..<n).reduce(0) { $0 + normal[$1 * n + $1] } / Double(n) + 1e-12
        for a in 0..<n { normal[a * n + a] += ridge }
        // Cholesky: normal = L·Lᵀ, L lower triangular, stored in place.
        for a in 0..<n {
            for b in 0...a {
                var sum = normal[a * n + b]
                for k in 0..<b { sum -= normal[a * n + k] * normal[b * n + k] }
                // Rounding can leave a diagonal at or below 0 when terms are indistinguishable.
                normal[a * n + b] = a == b ? max(sum, ridge).squareRoot() : sum / normal[b * n + b]
            }
        }
        // L·z = right, then Lᵀ·a = z.
        var z = right
        for a in 0..<n {
            for k in 0..<a { z[a] -= normal[a * n + k] * z[k] }
            z[a] /= normal[a * n + a]
        }
        for a in stride(from: n - 1, through: 0, by: -1) {
            for k in (a + 1)..<n { z[a] -= normal[k * n + a] * z[k] }
            z[a] /= normal[a * n + a]
        }
        return z
    }
}
