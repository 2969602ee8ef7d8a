import Foundation

/// A loss between the network's output ŷ (`m × k`) and the targets y (`m × k`).
///
/// The course writes each loss as a mean over the m samples; the engine works with the
/// **sum** over samples (so that micro-batch sums can be added exactly in a fixed tree) and
/// divides by m once, in the update. Each case gives the course's mean form.
public enum Loss: String, Codable, Sendable, CaseIterable {
    /// J = 1/(2m) Σᵢ Σⱼ (ŷᵢⱼ − yᵢⱼ)²; per sample ∂/∂ŷ = ŷ − y.
    case halfMeanSquaredError
    /// J = −1/m Σᵢ Σⱼ [y log ŷ + (1 − y) log(1 − ŷ)]; with a sigmoid output, ∂J/∂z = (ŷ − y)/m.
    case binaryCrossEntropy
    /// J = −1/m Σᵢ Σⱼ yᵢⱼ log ŷᵢⱼ; with a softmax output, ∂J/∂z = (ŷ − y)/m.
    case categoricalCrossEntropy

    /// ŷ is kept at least this far from 0 and 1 inside logarithms, so that ŷ of exactly 0 or 1
    /// gives a large finite loss rather than infinity.
    public static let epsilon: Float = 1e-7

    /// Whether this loss with `activation` at the output has the course's simple gradient
    /// ∂L/∂z = ŷ − y, computed directly (and its loss computed from the logits, stably).
    public func isFused(with activation: Activation) -> Bool {
        (self == .binaryCrossEntropy && activation == .sigmoid)
            || (self == .categoricalCrossEntropy && activation == .softmax)
    }

    /// The loss summed over `rows` samples, and ∂(sum)/∂z written into `dz` (`rows × columns`).
    ///
    /// - Parameters:
    ///   - z: the output layer's pre-activations (logits), used by the fused, stable forms.
    ///   - a: the output ŷ = g(z).
    ///   - y: the targets.
    public func sumAndGradient(logits z: UnsafePointer<Float>, output a: UnsafePointer<Float>,
                               targets y: UnsafePointer<Float>, rows: Int, columns: Int,
                               activation: Activation, gradient dz: UnsafeMutablePointer<Float>) -> Double {
        let count = rows * columns
        if isFused(with: activation) {
            for i in 0..<count { dz[i] = a[i] - y[i] }
            return fusedSum(logits: z, targets: y, rows: rows, columns: columns)
        }
        let e = Loss.epsilon
        var total = 0.0
        switch self {
        case .halfMeanSquaredError:
            for i in 0..<count {
                let d = a[i] - y[i]
                dz[i] = d
                total += 0.5 * Double(d) * Double(d)
            }
        case .binaryCrossEntropy:
            for i in 0..<count {
                let p = min(max(a[i], e), 1 - e)
                dz[i] = (p - y[i]) / (p * (1 - p))
                total -= Double(y[i]) * log(Double(p)) + Double(1 - y[i]) * log(Double(1 - p))
            }
        case .categoricalCrossEntropy:
            for i in 0..<count {
                let p = max(a[i], e)
                dz[i] = -y[i] / p
                total -= Double(y[i]) * log(Double(p))
            }
        }
        activation.backward(dz, output: a, rows: rows, columns: columns)
        return total
    }

    /// The fused losses from the logits, which stay finite at any finite logit:
    /// binary: max(z, 0) − z·y + log(1 + e^−|z|); categorical: Σⱼ yⱼ (logsumexp(z) − zⱼ).
    private func fusedSum(logits z: UnsafePointer<Float>, targets y: UnsafePointer<Float>,
                          rows: Int, columns: Int) -> Double {
        var total = 0.0
        if self == .binaryCrossEntropy {
            for i in 0..<rows * columns {
                let zi = Double(z[i]), yi = Double(y[i])
                total += max(zi, 0) - zi * yi + log1p(exp(-abs(zi)))
            }
            return total
        }
        for r in 0..<rows {
            let zr = z + r * columns, yr = y + r * columns
            var maximum = -Double.infinity
            for j in 0..<columns { maximum = max(maximum, Double(zr[j])) }
            var sum = 0.0
            for j in 0..<columns { sum += exp(Double(zr[j]) - maximum) }
            let logSumExp = maximum + log(sum)
            for j in 0..<columns where yr[j] != 0 {
                total += Double(yr[j]) * (logSumExp - Double(zr[j]))
            }
        }
        return total
    }
}
