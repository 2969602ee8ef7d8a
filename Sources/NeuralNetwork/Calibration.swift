import Foundation

/// Honest confidence: temperature scaling (Guo et al. 2017) of a classifier's probabilities,
/// and the expected calibration error that says how honest they are.
///
/// A network's softmax p = softmax(z) is often over-confident: of the digits it reads "99%
/// sure", fewer than 99% are right. Temperature scaling divides the logits by one number
/// T > 0 fitted on held-out data: p_T = softmax(z / T). Since log p = z − logsumexp(z), the
/// logits are known from the probabilities up to a constant, which the softmax cancels:
/// p_T = softmax(log p / T). T > 1 softens, T < 1 sharpens; the most likely class never changes.
public struct Calibration: Equatable, Sendable {
    /// T, fitted to minimise the mean negative log-likelihood −(1/N) Σ log p_T(yᵢ).
    public var temperature: Double
    /// Calibrated confidences below this are shown as "not sure" (see `unsureThreshold`).
    public var unsureBelow: Double

    /// Where a model file keeps T and τ (its safetensors metadata).
    public static let temperatureKey = "temperature", unsureKey = "unsure_below"

    /// The calibration a model file carries, or none (T = 1, never "not sure") for a model
    /// trained without a validation split, or with values that are not usable numbers.
    public init(metadata: [String: String]) {
        let t = metadata[Self.temperatureKey].flatMap(Double.init) ?? 1
        let u = metadata[Self.unsureKey].flatMap(Double.init) ?? 0
        self.init(temperature: t.isFinite && t > 0 ? t : 1, unsureBelow: u.isFinite && (0...1).contains(u) ? u : 0)
    }

    public init(temperature: Double = 1, unsureBelow: Double = 0) {
        self.temperature = temperature
        self.unsureBelow = unsureBelow
    }

    /// softmax(log p / T) of one row of probabilities; `log 0` counts as −∞ (probability 0 stays 0).
    public static func scaled(_ row: some Collection<Float>, temperature: Double) -> [Double] {
        let logits = row.map { $0 > 0 ? Double(log($0)) / temperature : -Double.infinity }
        let peak = logits.max() ?? 0
        let e = logits.map { $0 == -.infinity ? 0 : exp($0 - peak) }
        let total = e.reduce(0, +)
        return e.map { $0 / total }
    }

    public func scaled(_ row: some Collection<Float>) -> [Double] { Self.scaled(row, temperature: temperature) }

    /// The mean negative log-likelihood of `labels` under the rows of `probabilities`
    /// (`[N, classes]`, row-major) at temperature T.
    public static func negativeLogLikelihood(_ probabilities: [Float], classes: Int, labels: [Int], temperature: Double) -> Double {
        var total = 0.0
        for (i, label) in labels.enumerated() {
            let p = scaled(probabilities[(i * classes)..<((i + 1) * classes)], temperature: temperature)[label]
            total -= log(max(p, 1e-300))
        }
        return labels.isEmpty ? 0 : total / Double(labels.count)
    }

    /// T minimising the negative log-likelihood, by golden-section search on log T over
    /// [log 0.05, log 20] (the likelihood is unimodal in T), to a relative precision of 10⁻⁴.
    public static func fitTemperature(_ probabilities: [Float], classes: Int, labels: [Int]) -> Double {
        let ratio = (5.0.squareRoot() - 1) / 2
        var low = log(0.05), high = log(20.0)
        func loss(_ t: Double) -> Double { negativeLogLikelihood(probabilities, classes: classes, labels: labels, temperature: exp(t)) }
        var a = high - ratio * (high - low), b = low + ratio * (high - low)
        var fa = loss(a), fb = loss(b)
        while high - low > 1e-4 {
            if fa < fb {
                high = b; b = a; fb = fa
                a = high - ratio * (high - low); fa = loss(a)
            } else {
                low = a; a = b; fa = fb
                b = low + ratio * (high - low); fb = loss(b)
            }
        }
        return exp((low + high) / 2)
    }

    /// Each row's calibrated confidence (its top probability at temperature T) and whether
    /// its top class is the label.
    static func readings(_ probabilities: [Float], classes: Int, labels: [Int], temperature: Double) -> [(confidence: Double, right: Bool)] {
        labels.enumerated().map { i, label in
            let p = scaled(probabilities[(i * classes)..<((i + 1) * classes)], temperature: temperature)
            let top = p.indices.max { p[$0] < p[$1] }!
            return (p[top], top == label)
        }
    }

    /// The expected calibration error: the confidences (top probabilities) in `bins` equal
    /// bins of [0, 1]; ECE = Σ_b (n_b / N) · |accuracy_b − mean confidence_b|.
    public static func expectedCalibrationError(_ probabilities: [Float], classes: Int, labels: [Int], temperature: Double,
                                                bins: Int = 15) -> Double {
        guard !labels.isEmpty else { return 0 }
        var right = [Int](repeating: 0, count: bins), confidence = [Double](repeating: 0, count: bins)
        for reading in readings(probabilities, classes: classes, labels: labels, temperature: temperature) {
            let b = min(bins - 1, Int(reading.confidence * Double(bins)))
            confidence[b] += reading.confidence
            if reading.right { right[b] += 1 }
        }
        // An empty bin adds |0 − 0|.
        return (0..<bins).reduce(0) { $0 + abs(Double(right[$1]) - confidence[$1]) } / Double(labels.count)
    }

    /// The threshold below which a reading is "not sure": the smallest calibrated confidence τ
    /// such that the readings less confident than τ are wrong at least `wrongShare` of the
    /// time (one in five for 0.2), computed over the least confident readings first. A reading
    /// under τ is then one that, in held-out data, was often wrong: worth a second look.
    public static func unsureThreshold(_ probabilities: [Float], classes: Int, labels: [Int], temperature: Double,
                                       wrongShare: Double = 0.2) -> Double {
        let sorted = readings(probabilities, classes: classes, labels: labels, temperature: temperature).sorted { $0.confidence < $1.confidence }
        var wrong = 0, threshold = 0.0
        for (k, reading) in sorted.enumerated() {
            if !reading.right { wrong += 1 }
            if Double(wrong) >= wrongShare * Double(k + 1) {
                threshold = k + 1 < sorted.count ? sorted[k + 1].confidence : reading.confidence
            }
        }
        return threshold
    }

    /// T and τ fitted on held-out `probabilities` and `labels`.
    public static func fit(_ probabilities: [Float], classes: Int, labels: [Int]) -> Calibration {
        let t = fitTemperature(probabilities, classes: classes, labels: labels)
        return Calibration(temperature: t, unsureBelow: unsureThreshold(probabilities, classes: classes, labels: labels, temperature: t))
    }
}
