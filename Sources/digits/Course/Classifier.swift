import NeuralNetwork
import Plots

/// A network trained to tell the two classes of a `TwoClassData` apart, with the feature map
/// its inputs go through, and the picture of what it learned.
struct Classifier {
    var network: Network
    /// Polynomial features of (x₁, x₂), or nil for the plain inputs.
    var features: PolynomialFeatures?
    /// The network's output column holding p(class 1).
    var outputColumn: Int

    /// Logistic regression ŷ = σ(w·x + b) on `data` (through `features`), from w = b = 0, by
    /// full-batch gradient descent.
    static func logistic(_ data: TwoClassData, features: PolynomialFeatures? = nil,
                         learningRate: Float, steps: Int) -> Classifier {
        let inputs = features?.outputs ?? 2
        let architecture = Architecture.logisticRegression(inputs: inputs)
        var classifier = Classifier(network: Network(architecture: architecture,
                                                     parameters: [Float](repeating: 0, count: architecture.parameterCount)),
                                    features: features, outputColumn: 0)
        classifier.network.fit(x: classifier.inputs(data.x), y: data.y,
                               optimizer: OptimizerConfiguration(kind: .sgd, learningRate: learningRate), steps: steps)
        return classifier
    }

    func inputs(_ x: Matrix) -> Matrix { features?.transform(x) ?? x }

    func targets(_ data: TwoClassData) -> Matrix { network.architecture.outputs == 1 ? data.y : data.oneHot }

    func accuracy(on data: TwoClassData) -> Double { network.accuracy(x: inputs(data.x), y: targets(data)) }

    func loss(on data: TwoClassData) -> Double { network.meanLoss(x: inputs(data.x), y: targets(data)) }

    /// p(class 1) at each point.
    func probabilities(_ points: [Point]) -> [Double] {
        let x = Matrix(rows: points.count, columns: 2, values: points.flatMap { [Float($0.x), Float($0.y)] })
        let output = network.predict(inputs(x))
        return (0..<points.count).map { Double(output[$0, outputColumn]) }
    }

    /// The data's points over the regions the classifier assigns to each class, with the
    /// decision boundary p = 0.5 between them.
    func plot(_ data: TwoClassData, title: String, width: Double = 760, legend: LegendPosition) -> Plot {
        let grid = Grid(x: -1.15...1.15, y: -1.15...1.15, columns: 121, rows: 121, batch: probabilities)
        var classes = grid
        classes.values = grid.values.map { $0 >= 0.5 ? 1 : 0 }
        var plot = Plot(title: title, x: Axis("x₁ (normalised)"), y: Axis("x₂ (normalised)"),
                        width: width, height: 560, legend: legend)
        plot.regions(classes, colors: [.series(0), .series(1)], labels: ["predicted 0", "predicted 1"])
        plot.contours(grid, levels: [0.5], label: "boundary p = 0.5", color: .text, width: 2.5)
        plot.scatter(data.points(ofClass: 0), label: "class 0", color: .series(0), radius: 5)
        plot.scatter(data.points(ofClass: 1), label: "class 1", color: .series(1), radius: 5)
        return plot
    }
}
