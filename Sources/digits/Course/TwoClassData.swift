import Foundation
import NeuralNetwork
import Plots

/// A two-feature, two-class data set for the classification exercises: points (x₁, x₂)
/// normalised to [-1, 1] with the course's `Normalizer`, and a class, 0 or 1, for each.
///
/// Every set is drawn from `SeededGenerator(seed:stream:)`, so a seed gives the same points
/// on every machine. Gaussian draws use the Box–Muller transform of two uniform draws.
struct TwoClassData {
    var name: String
    /// `[m, 2]`, each column in [-1, 1].
    var x: Matrix
    /// 0 or 1 per row.
    var labels: [Int]

    /// The classes as `[m, 1]` targets for a sigmoid output.
    var y: Matrix { Matrix(rows: labels.count, columns: 1, values: labels.map(Float.init)) }

    /// The classes as `[m, 2]` one-hot targets for a softmax output.
    var oneHot: Matrix {
        Matrix(rows: labels.count, columns: 2, values: labels.flatMap { $0 == 0 ? [Float(1), 0] : [0, 1] })
    }

    /// The points of class `label`, for plotting.
    func points(ofClass label: Int) -> [Point] {
        labels.indices.filter { labels[$0] == label }.map { Point(Double(x[$0, 0]), Double(x[$0, 1])) }
    }

    private init(name: String, raw: [(Double, Double, Int)]) {
        self.name = name
        let features = Matrix(rows: raw.count, columns: 2, values: raw.flatMap { [Float($0.0), Float($0.1)] })
        x = Normalizer(fitting: features).normalize(features)
        labels = raw.map(\.2)
    }

    /// Two Gaussian clouds of 50 points each, centred at (−1, −0.8) and (1, 0.8) with standard
    /// deviation 0.6: a line separates them, almost. (Stream 1 of the seed.)
    static func clouds(seed: UInt64) -> TwoClassData {
        var random = SeededGenerator(seed: seed, stream: 1)
        var raw: [(Double, Double, Int)] = []
        for label in [0, 1] {
            let (cx, cy) = label == 0 ? (-1.0, -0.8) : (1.0, 0.8)
            for _ in 0..<50 {
                let (a, b) = random.gaussianPair()
                raw.append((cx + 0.6 * a, cy + 0.6 * b, label))
            }
        }
        return TwoClassData(name: "two clouds", raw: raw)
    }

    /// A disc and a ring around it, 60 points each: class 1 uniform in the disc of radius 0.5,
    /// class 0 uniform in the ring 0.65 ≤ r ≤ 1. No line separates them; a circle does.
    /// (Stream 2 of the seed.)
    static func ring(seed: UInt64) -> TwoClassData {
        var random = SeededGenerator(seed: seed, stream: 2)
        var raw: [(Double, Double, Int)] = []
        for (label, inner, outer) in [(1, 0.0, 0.5), (0, 0.65, 1.0)] {
            for _ in 0..<60 {
                // Uniform over the area: r² uniform between inner² and outer².
                let r = (inner * inner + Double(random.nextUnitFloat()) * (outer * outer - inner * inner)).squareRoot()
                let angle = 2 * Double.pi * Double(random.nextUnitFloat())
                raw.append((r * cos(angle), r * sin(angle), label))
            }
        }
        return TwoClassData(name: "ring", raw: raw)
    }

    /// XOR clouds: four Gaussian clouds of 40 points, standard deviation 0.18, centred at
    /// (±0.5, ±0.5); class 1 where x₁ and x₂ have opposite signs. (Stream 3 of the seed.)
    static func xor(seed: UInt64) -> TwoClassData {
        var random = SeededGenerator(seed: seed, stream: 3)
        var raw: [(Double, Double, Int)] = []
        for (cx, cy) in [(-0.5, -0.5), (0.5, 0.5), (-0.5, 0.5), (0.5, -0.5)] {
            for _ in 0..<40 {
                let (a, b) = random.gaussianPair()
                raw.append((cx + 0.18 * a, cy + 0.18 * b, cx * cy > 0 ? 0 : 1))
            }
        }
        return TwoClassData(name: "XOR clouds", raw: raw)
    }
}

extension SeededGenerator {
    /// Two independent standard normal values (Box–Muller): with u₁ in (0, 1] and u₂ in [0, 1),
    /// r = √(−2 ln u₁), θ = 2π u₂, and (r cos θ, r sin θ).
    mutating func gaussianPair() -> (Double, Double) {
        let u1 = 1 - Double(nextUnitFloat()), u2 = Double(nextUnitFloat())
        let r = (-2 * log(u1)).squareRoot(), theta = 2 * Double.pi * u2
        return (r * cos(theta), r * sin(theta))
    }
}
