/// Polynomial features: every monomial of the inputs of total degree 1 through `degree`,
/// by degree, then in lexicographic order of the factors. Degree 2 of (x₁, x₂) gives
/// x₁, x₂, x₁², x₁x₂, x₂². With them, a linear model in the new features draws curves in the old.
public struct PolynomialFeatures: Equatable, Sendable {
    public let inputs: Int
    public let degree: Int
    /// Each output feature as the input indices it multiplies, e.g. [0, 1] for x₁x₂.
    public let terms: [[Int]]

    public init(inputs: Int, degree: Int) {
        precondition(inputs > 0, "polynomial features need at least one input")
        precondition(degree >= 1, "the degree must be at least 1")
        self.inputs = inputs
        self.degree = degree
        var terms: [[Int]] = []
        func extend(_ prefix: [Int], from start: Int, remaining: Int) {
            if remaining == 0 { terms.append(prefix); return }
            for i in start..<inputs { extend(prefix + [i], from: i, remaining: remaining - 1) }
        }
        for d in 1...degree { extend([], from: 0, remaining: d) }
        self.terms = terms
    }

    public var outputs: Int { terms.count }

    /// Names such as "x1", "x1^2", "x1*x2", for printing.
    public var names: [String] {
        terms.map { term in
            var parts: [String] = []
            var i = 0
            while i < term.count {
                var power = 1
                while i + power < term.count && term[i + power] == term[i] { power += 1 }
                parts.append(power == 1 ? "x\(term[i] + 1)" : "x\(term[i] + 1)^\(power)")
                i += power
            }
            return parts.joined(separator: "*")
        }
    }

    /// `[m, inputs]` → `[m, outputs]`.
    public func transform(_ x: Matrix) -> Matrix {
        precondition(x.columns == inputs, "expected \(inputs) inputs, got \(x.columns)")
        var out = Matrix(rows: x.rows, columns: outputs)
        for i in 0..<x.rows {
            for (j, term) in terms.enumerated() {
                var product: Float = 1
                for index in term { product *= x[i, index] }
                out[i, j] = product
            }
        }
        return out
    }
}
