import Foundation

/// Which update rule turns a gradient into new weights.
public enum OptimizerKind: String, Codable, Sendable, CaseIterable {
    case sgd, momentum, adam
}

/// Settings of an optimiser. Plain SGD is momentum with μ = 0 (then v = g, so no v is kept).
public struct OptimizerConfiguration: Equatable, Codable, Sendable {
    public var kind: OptimizerKind
    /// α, the learning rate.
    public var learningRate: Float
    /// μ for momentum.
    public var momentum: Float
    /// Adam's β₁, β₂ and ε.
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float

    public init(kind: OptimizerKind, learningRate: Float, momentum: Float = 0.9,
                beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.kind = kind
        self.learningRate = learningRate
        self.momentum = momentum
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }
}

/// The one update path for every trainer: it takes a gradient **sum** over `count` samples,
/// forms the mean g = sum / count (the course's (1/m) Σ), and updates the weights.
///
/// - sgd:      w := w − α g                            (the course's update)
/// - momentum: v := μ v + g,  w := w − α v
/// - adam:     m := β₁ m + (1 − β₁) g,  s := β₂ s + (1 − β₂) g²,
///             w := w − α m̂ / (√ŝ + ε),  with m̂ = m / (1 − β₁ᵗ), ŝ = s / (1 − β₂ᵗ)
///
/// The state (v, m, s and t) is part of a checkpoint, so a resumed run continues exactly.
public struct Optimizer: Equatable, Sendable {
    public let configuration: OptimizerConfiguration
    /// v for momentum, m for Adam; empty for SGD.
    public var firstMoment: [Float]
    /// s for Adam; empty otherwise.
    public var secondMoment: [Float]
    /// Updates applied so far (t).
    public var step: Int

    public init(_ configuration: OptimizerConfiguration, parameterCount: Int) {
        self.configuration = configuration
        firstMoment = configuration.kind == .sgd ? [] : [Float](repeating: 0, count: parameterCount)
        secondMoment = configuration.kind == .adam ? [Float](repeating: 0, count: parameterCount) : []
        step = 0
    }

    /// Restores saved state; the arrays must match what `init` would make.
    public init(_ configuration: OptimizerConfiguration, firstMoment: [Float], secondMoment: [Float], step: Int) {
        self.configuration = configuration
        self.firstMoment = firstMoment
        self.secondMoment = secondMoment
        self.step = step
    }

    public mutating func update(parameters: inout [Float], gradientSum: [Float], count: Int, learningRateScale: Float = 1) {
        gradientSum.withUnsafeBufferPointer { g in
            parameters.withUnsafeMutableBufferPointer { w in
                update(parameters: w, gradientSum: g, count: count, learningRateScale: learningRateScale)
            }
        }
    }

    /// The state of the elements `range` only (t included): what the owner of that slice of
    /// the parameters keeps in a sliced exchange. Updating a slice with it gives the same
    /// bits as updating the whole vector, since every rule is element by element.
    public func slice(_ range: Range<Int>) -> Optimizer {
        Optimizer(configuration, firstMoment: firstMoment.isEmpty ? [] : Array(firstMoment[range]),
                  secondMoment: secondMoment.isEmpty ? [] : Array(secondMoment[range]), step: step)
    }

    /// The one update: element i of `parameters` and of the state changes from element i of
    /// `gradientSum`, t and the scale alone, never from its position or its neighbours, so a
    /// slice updated on its own (with `slice`'s state) ends bit-for-bit as in the whole vector.
    ///
    /// - Parameter learningRateScale: multiplies α for this update (a schedule's factor).
    public mutating func update(parameters w: UnsafeMutableBufferPointer<Float>, gradientSum: UnsafeBufferPointer<Float>, count: Int,
                                learningRateScale: Float = 1) {
        precondition(gradientSum.count == w.count, "gradient has \(gradientSum.count) values for \(w.count) parameters")
        precondition(firstMoment.isEmpty || firstMoment.count == w.count, "optimiser state of \(firstMoment.count) values for \(w.count) parameters")
        guard count > 0 else { return }
        step += 1
        let c = configuration
        let scale = 1 / Float(count)
        let alpha = c.learningRate * learningRateScale
        switch c.kind {
        case .sgd:
            for i in 0..<w.count { w[i] -= alpha * (gradientSum[i] * scale) }
        case .momentum:
            firstMoment.withUnsafeMutableBufferPointer { v in
                for i in 0..<w.count {
                    v[i] = c.momentum * v[i] + gradientSum[i] * scale
                    w[i] -= alpha * v[i]
                }
            }
        case .adam:
            // The bias corrections are computed in Double and rounded once, the same everywhere.
            let correction1 = Float(1 - pow(Double(c.beta1), Double(step)))
            let correction2 = Float(1 - pow(Double(c.beta2), Double(step)))
            firstMoment.withUnsafeMutableBufferPointer { m in
                secondMoment.withUnsafeMutableBufferPointer { s in
                    for i in 0..<w.count {
                        let g = gradientSum[i] * scale
                        m[i] = c.beta1 * m[i] + (1 - c.beta1) * g
                        s[i] = c.beta2 * s[i] + (1 - c.beta2) * g * g
                        let mHat = m[i] / correction1, sHat = s[i] / correction2
                        w[i] -= alpha * mHat / (sHat.squareRoot() + c.epsilon)
                    }
                }
            }
        }
    }
}


/// How the learning rate changes over a run, as a factor of α at global step t of T.
public enum LearningRateSchedule: String, Codable, Sendable, CaseIterable {
    /// factor 1 throughout.
    case constant
    /// factor ½(1 + cos(π t / T)): from 1 down to 0 at the end, which settles the weights.
    case cosine

    /// The factor, computed in Double and rounded once, so it is the same everywhere.
    public func factor(step t: Int, of total: Int) -> Float {
        switch self {
        case .constant: return 1
        case .cosine: return total <= 0 ? 1 : Float(0.5 * (1 + cos(Double.pi * Double(t) / Double(total))))
        }
    }
}
