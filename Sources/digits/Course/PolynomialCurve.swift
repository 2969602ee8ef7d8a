import NeuralNetwork
import Plots

/// Polynomial regression on the life-expectancy table: ŷ = w₁x + w₂x² + … + w_D x^D + b,
/// a linear regression on the features x, x², …, x^D of the normalised hours.
///
/// x and y are normalised to [-1, 1] first, so that every feature lies in [-1, 1] too.
/// The fit is gradient descent from zero with α = 1.9 / (1 + mean Σₖ x'^(2k)): the
/// denominator is the trace of the features' second-moment matrix (bias included), which
/// bounds its largest eigenvalue λmax, so α < 2/λmax and the descent is stable at any degree.
/// With more features than points (D > 3), descent from zero ends at the interpolating
/// polynomial with the smallest weights.
struct PolynomialCurve {
    let degree: Int
    let learningRate: Float
    private let features: PolynomialFeatures
    private let network: Network
    private let xNormalizer = Normalizer(fitting: LifeTable.x)
    private let yNormalizer = Normalizer(fitting: LifeTable.y)

    /// Fits the curve of `degree` in `steps` steps, at `learningRate` or, if nil, the stable α above.
    init(degree: Int, steps: Int, learningRate: Float? = nil) {
        self.degree = degree
        features = PolynomialFeatures(inputs: 1, degree: degree)
        let x = features.transform(xNormalizer.normalize(LifeTable.x)), y = yNormalizer.normalize(LifeTable.y)
        let trace = 1 + x.values.reduce(0) { $0 + Double($1) * Double($1) } / Double(x.rows)
        self.learningRate = learningRate ?? Float(1.9 / trace)
        var network = Network(architecture: .linearRegression(inputs: features.outputs),
                              parameters: [Float](repeating: 0, count: degree + 1))
        network.fit(x: x, y: y, optimizer: OptimizerConfiguration(kind: .sgd, learningRate: self.learningRate), steps: steps)
        self.network = network
    }

    /// ŷ in years at each of `hours`.
    func predictions(at hours: [Double]) -> [Double] {
        let x = Matrix(rows: hours.count, columns: 1, values: hours.map { Float($0) })
        let yHat = network.predict(features.transform(xNormalizer.normalize(x)))
        return yNormalizer.denormalize(yHat).values.map(Double.init)
    }

    /// J = 1/(2m) Σ (ŷ − y)² on the table, in years²: the library's loss on normalised y,
    /// times the squared half-range of y (normalising y divides every error by it).
    var loss: Double {
        let x = features.transform(xNormalizer.normalize(LifeTable.x)), y = yNormalizer.normalize(LifeTable.y)
        let halfRange = Double(yNormalizer.halfRanges[0])
        return network.meanLoss(x: x, y: y) * halfRange * halfRange
    }

    /// The curve over `hours`, sampled finely.
    func points(over hours: ClosedRange<Double>, count: Int = 200) -> [Point] {
        let xs = (0..<count).map { hours.lowerBound + Double($0) * (hours.upperBound - hours.lowerBound) / Double(count - 1) }
        return zip(xs, predictions(at: xs)).map { Point($0, $1) }
    }
}
