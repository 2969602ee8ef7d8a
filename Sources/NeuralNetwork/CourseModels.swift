/// The course's models, as configurations of the one network.
extension Architecture {
    /// Linear regression ŷ = w·x + b: one identity unit with the half-MSE loss.
    public static func linearRegression(inputs: Int = 1) -> Architecture {
        Architecture(layers: [DenseLayer(inputs: inputs, outputs: 1, activation: .identity)],
                     loss: .halfMeanSquaredError)
    }

    /// Logistic regression ŷ = σ(w·x + b): one sigmoid unit with binary cross-entropy.
    public static func logisticRegression(inputs: Int) -> Architecture {
        Architecture(layers: [DenseLayer(inputs: inputs, outputs: 1, activation: .sigmoid)],
                     loss: .binaryCrossEntropy)
    }
}

extension Network {
    /// Batch gradient descent, as the course does it: every step uses all m samples,
    /// w := w − α·(1/m)·Σ ∂L/∂w through the shared `Optimizer`. Calls `progress` after
    /// each step with the step number and the mean loss before that step's update.
    @discardableResult
    public mutating func fit(x: Matrix, y: Matrix, optimizer configuration: OptimizerConfiguration,
                             steps: Int, progress: (Int, Double) -> Void = { _, _ in }) -> Double {
        var optimizer = Optimizer(configuration, parameterCount: parameters.count)
        var loss = Double.nan
        for step in 1...max(1, steps) where steps > 0 {
            let (gradient, statistics) = gradientSum(x: x, y: y)
            loss = statistics.meanLoss
            progress(step, loss)
            optimizer.update(parameters: &parameters, gradientSum: gradient, count: x.rows)
        }
        return loss
    }

    /// The fraction of rows whose prediction matches the target (arg-max, or 0.5 for one output).
    public func accuracy(x: Matrix, y: Matrix) -> Double {
        gradientSum(x: x, y: y).statistics.accuracy
    }
}

/// The course's small data sets.
public enum CourseData {
    /// Monthly hours of exercise → life expectancy in years: (20, 78), (0, 65), (36, 81), (12, 72).
    /// Least squares gives ŷ ≈ 0.450292·x + 66.345029.
    public static let lifeExpectancy: (hours: [Float], years: [Float]) = ([20, 0, 36, 12], [78, 65, 81, 72])
}
