import NeuralNetwork
import XCTest

/// Back-propagation against central finite differences of the loss sum (micrograd's check):
/// ∂L/∂θ ≈ (L(θ + ε) − L(θ − ε)) / 2ε, for every parameter of small networks.
final class GradientCheckTests: XCTestCase {
    /// Every output activation with every loss it can meet: ŷ must be positive for
    /// categorical cross-entropy and in (0, 1) for binary cross-entropy, so identity and
    /// ReLU outputs go with half-MSE only. Fused pairs (sigmoid + BCE, softmax + CCE) and
    /// non-fused ones alike.
    static let outputPairs: [(Activation, Loss)] = [
        (.identity, .halfMeanSquaredError), (.sigmoid, .halfMeanSquaredError),
        (.relu, .halfMeanSquaredError), (.softmax, .halfMeanSquaredError),
        (.sigmoid, .binaryCrossEntropy), (.softmax, .binaryCrossEntropy),
        (.sigmoid, .categoricalCrossEntropy), (.softmax, .categoricalCrossEntropy),
    ]

    func testGradient_OneLayer_EveryActivationAndLoss_MatchesFiniteDifferences() {
        for (activation, loss) in Self.outputPairs {
            let architecture = Architecture(layers: [DenseLayer(inputs: 3, outputs: 3, activation: activation)],
                                            loss: loss)
            assertGradientMatchesFiniteDifferences(architecture)
        }
    }

    func testGradient_TwoLayerSigmoidMSE_MatchesFiniteDifferences() {
        assertGradientMatchesFiniteDifferences(
            Architecture(inputs: 3, hidden: [4], outputs: 2, hiddenActivation: .sigmoid,
                         outputActivation: .sigmoid, loss: .halfMeanSquaredError))
    }

    func testGradient_TwoLayer_EveryHiddenActivation_MatchesFiniteDifferences() {
        for hidden in Activation.allCases {
            for (activation, loss) in Self.outputPairs {
                assertGradientMatchesFiniteDifferences(
                    Architecture(inputs: 3, hidden: [4], outputs: 3, hiddenActivation: hidden,
                                 outputActivation: activation, loss: loss))
            }
        }
    }

    func testGradient_ThreeLayerReLUSoftmaxCrossEntropy_MatchesFiniteDifferences() {
        assertGradientMatchesFiniteDifferences(Architecture(inputs: 4, hidden: [5, 4], outputs: 3))
    }

    func testGradient_ThreeLayerMixedActivations_MatchesFiniteDifferences() {
        let layers = [DenseLayer(inputs: 3, outputs: 4, activation: .sigmoid),
                      DenseLayer(inputs: 4, outputs: 4, activation: .softmax),
                      DenseLayer(inputs: 4, outputs: 2, activation: .identity)]
        assertGradientMatchesFiniteDifferences(Architecture(layers: layers, loss: .halfMeanSquaredError))
        let logistic = [DenseLayer(inputs: 3, outputs: 4, activation: .relu),
                        DenseLayer(inputs: 4, outputs: 3, activation: .identity),
                        DenseLayer(inputs: 3, outputs: 1, activation: .sigmoid)]
        assertGradientMatchesFiniteDifferences(Architecture(layers: logistic, loss: .binaryCrossEntropy))
    }

    func testGradient_SingleSample_MatchesFiniteDifferences() {
        assertGradientMatchesFiniteDifferences(Architecture(inputs: 3, hidden: [4], outputs: 3), rows: 1)
    }

    // MARK: - The check

    /// For each seed: random weights (with random, non-zero biases), inputs and targets
    /// suited to the loss; compares every component of `gradientSum` with the central
    /// difference of the loss sum, within 1 % relative error (above a 1e-3 absolute floor).
    func assertGradientMatchesFiniteDifferences(_ architecture: Architecture, rows: Int = 5,
                                                file: StaticString = #filePath, line: UInt = #line) {
        let epsilon: Float = 3e-3
        var checked = 0
        for seed in 0..<UInt64(40) where checked < 3 {
            var generator = SeededGenerator(seed: seed, stream: 7)
            var network = Network(architecture: architecture, seed: seed, initializer: .xavier)
            for l in architecture.layers.indices {
                let b = architecture.biasOffset(l)
                for j in 0..<architecture.layers[l].outputs { network.parameters[b + j] = generator.nextFloat(limit: 0.5) }
            }
            let x = generator.matrix(rows: rows, columns: architecture.inputs)
            let y = targets(for: architecture, rows: rows, generator: &generator)
            // A ReLU unit whose input is near 0 has no derivative there; such draws are skipped.
            guard reluMargin(network, x) > 0.01 else { continue }
            checked += 1
            let analytic = network.gradientSum(x: x, y: y).gradient
            for i in network.parameters.indices {
                let original = network.parameters[i]
                network.parameters[i] = original + epsilon
                let plus = network.gradientSum(x: x, y: y).statistics.lossSum
                let upper = network.parameters[i]
                network.parameters[i] = original - epsilon
                let minus = network.gradientSum(x: x, y: y).statistics.lossSum
                let step = Double(upper) - Double(network.parameters[i])
                network.parameters[i] = original
                let numeric = (plus - minus) / step
                let a = Double(analytic[i])
                let error = abs(a - numeric)
                if !(error <= 1e-2 * max(abs(a), abs(numeric)) + 1e-3) {
                    XCTFail("\(architecture.summary), seed \(seed): ∂L/∂θ[\(i)] is \(a) by back-propagation, "
                            + "\(numeric) by finite differences", file: file, line: line)
                    return
                }
            }
        }
        XCTAssertEqual(checked, 3, "too few draws without a ReLU kink near the data", file: file, line: line)
    }

    /// Targets the loss accepts: one-hot rows for cross-entropy, any values for half-MSE.
    func targets(for architecture: Architecture, rows: Int, generator: inout SeededGenerator) -> Matrix {
        switch architecture.loss {
        case .halfMeanSquaredError: return generator.matrix(rows: rows, columns: architecture.outputs)
        case .binaryCrossEntropy, .categoricalCrossEntropy:
            return architecture.outputs == 1
                ? Matrix(rows: rows, columns: 1, values: (0..<rows).map { _ in Float(generator.next(below: 2)) })
                : generator.oneHot(rows: rows, columns: architecture.outputs)
        }
    }

    /// The smallest |z| over the pre-activations of the network's ReLU layers on `x`
    /// (infinity without ReLU), found by running the network cut after each ReLU layer
    /// with that layer's activation made the identity.
    func reluMargin(_ network: Network, _ x: Matrix) -> Float {
        let layers = network.architecture.layers
        var margin = Float.infinity
        for l in layers.indices where layers[l].activation == .relu {
            var prefix = Array(layers[...l])
            prefix[l].activation = .identity
            let cut = Architecture(layers: prefix, loss: .halfMeanSquaredError)
            let z = Network(architecture: cut, parameters: Array(network.parameters[..<cut.parameterCount])).predict(x)
            margin = min(margin, z.values.map(abs).min()!)
        }
        return margin
    }
}
