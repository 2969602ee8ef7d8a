import NeuralNetwork
import XCTest

/// The course's models, trained with the same engine as the digits network.
final class CourseModelTests: XCTestCase {
    func testLinearRegression_LifeExpectancy_ConvergesToLeastSquaresLine() {
        let data = CourseData.lifeExpectancy
        let x = Matrix(rows: 4, columns: 1, values: data.hours)
        let y = Matrix(rows: 4, columns: 1, values: data.years)
        let xNormalizer = Normalizer(fitting: x), yNormalizer = Normalizer(fitting: y)
        var network = Network(architecture: .linearRegression(), seed: 0)
        network.fit(x: xNormalizer.normalize(x), y: yNormalizer.normalize(y),
                    optimizer: OptimizerConfiguration(kind: .sgd, learningRate: 0.5), steps: 500)
        let line = Line(normalizedW: network.parameters[0], b: network.parameters[1], x: xNormalizer, y: yNormalizer)
        // Least squares by hand: x̄ = 17, ȳ = 74, Σ(x − x̄)(y − ȳ) = 308, Σ(x − x̄)² = 684,
        // w = 308/684 = 0.450292, b = 74 − 17w = 66.345029.
        XCTAssertEqual(line.w, 308.0 / 684.0, accuracy: 1e-3)
        XCTAssertEqual(line.b, 74 - 17 * 308.0 / 684.0, accuracy: 1e-3)
        XCTAssertEqual(line.w, 0.450292, accuracy: 1e-3)
        XCTAssertEqual(line.b, 66.345029, accuracy: 1e-3)
    }

    func testLinearRegression_Fit_LossDecreasesEveryStep() {
        let x = Matrix(rows: 4, columns: 1, values: [-1, -0.5, 0.5, 1])
        let y = Matrix(rows: 4, columns: 1, values: [-0.8, -0.1, 0.3, 0.9])
        var network = Network(architecture: .linearRegression(), seed: 3)
        var losses: [Double] = []
        network.fit(x: x, y: y, optimizer: OptimizerConfiguration(kind: .sgd, learningRate: 0.1), steps: 50) {
            losses.append($1)
        }
        XCTAssertEqual(losses.count, 50)
        for (before, after) in zip(losses, losses.dropFirst()) { XCTAssertLessThanOrEqual(after, before) }
    }

    func testLogisticRegression_LinearlySeparableSet_ClassifiesAllTrainingPoints() {
        for seed in testSeeds {
            var generator = SeededGenerator(seed: seed)
            // Points of the plane labelled by the side of x₁ + 2x₂ = 0.3, none closer than 0.1 to it.
            var points: [Float] = [], labels: [Float] = []
            while labels.count < 60 {
                let p = (generator.nextFloat(limit: 1), generator.nextFloat(limit: 1))
                let side = p.0 + 2 * p.1 - 0.3
                guard abs(side) / Float(5).squareRoot() > 0.1 else { continue }
                points += [p.0, p.1]
                labels.append(side > 0 ? 1 : 0)
            }
            let x = Matrix(rows: 60, columns: 2, values: points), y = Matrix(rows: 60, columns: 1, values: labels)
            var network = Network(architecture: .logisticRegression(inputs: 2), seed: seed)
            network.fit(x: x, y: y, optimizer: OptimizerConfiguration(kind: .sgd, learningRate: 2), steps: 300)
            XCTAssertEqual(network.accuracy(x: x, y: y), 1, "seed \(seed)")
        }
    }

    func testTwoLayerReLU_XOR_ClassifiesAllFourPoints() {
        let x = Matrix([[0, 0], [0, 1], [1, 0], [1, 1]])
        let y = Matrix([[0], [1], [1], [0]])
        let architecture = Architecture(inputs: 2, hidden: [8], outputs: 1, hiddenActivation: .relu,
                                        outputActivation: .sigmoid, loss: .binaryCrossEntropy)
        var solved = 0
        for seed in testSeeds {
            var network = Network(architecture: architecture, seed: seed)
            network.fit(x: x, y: y, optimizer: OptimizerConfiguration(kind: .adam, learningRate: 0.05), steps: 300)
            if network.accuracy(x: x, y: y) == 1 { solved += 1 }
        }
        // A ReLU net can be initialised with dead units; nearly every seed must still work.
        XCTAssertGreaterThanOrEqual(solved, testSeeds.count - 1, "XOR solved for only \(solved) of \(testSeeds.count) seeds")
    }

    func testPolynomialLogisticRegression_Disc_FitsWhatPlainLogisticRegressionCannot() {
        for seed in testSeeds.prefix(3) {
            var generator = SeededGenerator(seed: seed)
            // Uniform points of [-1, 1]², labelled 1 inside the disc x₁² + x₂² < 0.5.
            let x = generator.matrix(rows: 200, columns: 2)
            let y = Matrix(rows: 200, columns: 1, values: (0..<200).map { i in
                x[i, 0] * x[i, 0] + x[i, 1] * x[i, 1] < 0.5 ? 1 : 0
            })
            let optimizer = OptimizerConfiguration(kind: .adam, learningRate: 0.1)

            var plain = Network(architecture: .logisticRegression(inputs: 2), seed: seed)
            plain.fit(x: x, y: y, optimizer: optimizer, steps: 400)
            XCTAssertLessThanOrEqual(plain.accuracy(x: x, y: y), 0.75, "seed \(seed): a line cannot draw a disc")

            let features = PolynomialFeatures(inputs: 2, degree: 2)
            let xx = features.transform(x)
            var polynomial = Network(architecture: .logisticRegression(inputs: features.outputs), seed: seed)
            polynomial.fit(x: xx, y: y, optimizer: optimizer, steps: 400)
            XCTAssertGreaterThanOrEqual(polynomial.accuracy(x: xx, y: y), 0.95, "seed \(seed)")
        }
    }
}
