import Foundation

/// The activation `a = g(z)` applied element-wise (or per row, for softmax) after a dense layer.
public enum Activation: String, Codable, Sendable, CaseIterable {
    /// g(z) = z. With half-MSE, one identity unit is the course's linear regression.
    case identity
    /// g(z) = 1 / (1 + e⁻ᶻ), g'(z) = g(z)(1 − g(z)). One sigmoid unit with cross-entropy is
    /// logistic regression.
    case sigmoid
    /// g(z) = max(0, z), g'(z) = 1 for z > 0, else 0.
    case relu
    /// gᵢ(z) = e^(zᵢ − max z) / Σⱼ e^(zⱼ − max z), over each row. Subtracting the row maximum
    /// keeps every exponent ≤ 0, so logits of ±1000 give no overflow.
    case softmax

    /// Applies the activation to `rows × columns` values in place.
    public func apply(_ z: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        let count = rows * columns
        switch self {
        case .identity:
            break
        case .sigmoid:
            for i in 0..<count { z[i] = Activation.sigmoid(z[i]) }
        case .relu:
            // A select rather than a branch, so that the loop vectorises.
            for i in 0..<count { z[i] = z[i] > 0 ? z[i] : 0 }
        case .softmax:
            for r in 0..<rows {
                let row = z + r * columns
                var maximum = -Float.infinity
                for j in 0..<columns where row[j] > maximum { maximum = row[j] }
                var sum: Float = 0
                for j in 0..<columns {
                    let e = expf(row[j] - maximum)
                    row[j] = e
                    sum += e
                }
                let inverse = 1 / sum
                for j in 0..<columns { row[j] *= inverse }
            }
        }
    }

    /// Turns `∂L/∂a` into `∂L/∂z` in place, given the activation's output `a` (`rows × columns`).
    ///
    /// identity: dz = da. sigmoid: dz = da·a(1 − a). ReLU: dz = da where a > 0, else 0.
    /// softmax: dzᵢ = aᵢ (daᵢ − Σⱼ daⱼ aⱼ) (the Jacobian–vector product, per row).
    public func backward(_ da: UnsafeMutablePointer<Float>, output a: UnsafePointer<Float>,
                         rows: Int, columns: Int) {
        let count = rows * columns
        switch self {
        case .identity:
            break
        case .sigmoid:
            for i in 0..<count { da[i] *= a[i] * (1 - a[i]) }
        case .relu:
            Activation.reluBackward(da, output: a, count: count)
        case .softmax:
            for r in 0..<rows {
                let d = da + r * columns, y = a + r * columns
                var dot: Float = 0
                for j in 0..<columns { dot += d[j] * y[j] }
                for j in 0..<columns { d[j] = y[j] * (d[j] - dot) }
            }
        }
    }

    /// The logistic function, computed so that neither branch overflows.
    @inlinable
    public static func sigmoid(_ z: Float) -> Float {
        if z >= 0 { return 1 / (1 + expf(-z)) }
        let e = expf(z)
        return e / (1 + e)
    }

    /// da ← da where a > 0, else 0, sixteen lanes at a time: the compiler does not vectorise
    /// the scalar loop (da and a might overlap), and its branch mispredicts on half the units.
    /// A select is exact, so the result is the scalar loop's, bit for bit.
    @usableFromInline
    static func reluBackward(_ da: UnsafeMutablePointer<Float>, output a: UnsafePointer<Float>, count: Int) {
        let zero = SIMD16<Float>(repeating: 0)
        var i = 0
        while i + 16 <= count {
            let d = UnsafeRawPointer(da + i).loadUnaligned(as: SIMD16<Float>.self)
            let x = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(da + i).storeBytes(of: zero.replacing(with: d, where: x .> zero), as: SIMD16<Float>.self)
            i += 16
        }
        while i < count {
            da[i] = a[i] > 0 ? da[i] : 0
            i += 1
        }
    }
}
