import NeuralNetwork
import XCTest

/// Extreme logits and saturated outputs give finite outputs, losses and gradients.
final class NumericalStabilityTests: XCTestCase {
    /// One layer whose single input 1 gives the logits `logits`: W is the logits as a column, b = 0.
    func network(logits: [Float], activation: Activation, loss: Loss) -> Network {
        let layer = DenseLayer(inputs: 1, outputs: logits.count, activation: activation)
        return Network(architecture: Architecture(layers: [layer], loss: loss),
                       parameters: logits + [Float](repeating: 0, count: logits.count))
    }

    func testSoftmax_ExtremeLogits_GivesFiniteProbabilitiesSummingToOne() {
        for logits: [Float] in [[1000, -1000, 0], [-1000, -1000, -1000], [1000, 1000, 999]] {
            let output = network(logits: logits, activation: .softmax, loss: .categoricalCrossEntropy)
                .predict(Matrix([[1]]))
            assertFinite(output.values, "logits \(logits)")
            XCTAssertEqual(output.values.reduce(0, +), 1, accuracy: 1e-6, "logits \(logits)")
        }
        let output = network(logits: [1000, -1000, 0], activation: .softmax, loss: .categoricalCrossEntropy)
            .predict(Matrix([[1]]))
        XCTAssertEqual(output.values, [1, 0, 0])
    }

    func testSoftmaxCrossEntropy_ExtremeLogits_LossAndGradientFinite() {
        let net = network(logits: [1000, -1000, 0], activation: .softmax, loss: .categoricalCrossEntropy)
        // Wrong class by a margin of 2000: the loss is logsumexp(z) − z₁ = 1000 − (−1000).
        let (gradient, statistics) = net.gradientSum(x: Matrix([[1]]), y: Matrix([[0, 1, 0]]))
        XCTAssertEqual(statistics.lossSum, 2000, accuracy: 1e-6)
        assertFinite(gradient)
        // ∂L/∂z = ŷ − y = (1, −1, 0), and x = 1, so ∂L/∂W equals it and so does ∂L/∂b.
        assertClose(gradient, [1, -1, 0, 1, -1, 0], absolute: 1e-6)
    }

    func testSigmoidBinaryCrossEntropy_ExtremeLogits_LossAndGradientFinite() {
        let net = network(logits: [1000, -1000], activation: .sigmoid, loss: .binaryCrossEntropy)
        let (gradient, statistics) = net.gradientSum(x: Matrix([[1]]), y: Matrix([[0, 0]]))
        // −log(1 − σ(1000)) ≈ 1000 for the first output, −log(1 − σ(−1000)) ≈ 0 for the second.
        XCTAssertEqual(statistics.lossSum, 1000, accuracy: 1e-6)
        assertClose(gradient, [1, 0, 1, 0], absolute: 1e-6)
    }

    func testNonFusedCrossEntropy_OutputsExactlyZeroAndOne_LossAndGradientFinite() {
        // σ(±1000) and softmax of (1000, −1000) round to exactly 1 and 0 in Float.
        let cases: [(Activation, Loss, [Float])] = [
            (.sigmoid, .categoricalCrossEntropy, [0, 1]),
            (.softmax, .binaryCrossEntropy, [0, 1]),
        ]
        for (activation, loss, targets) in cases {
            let net = network(logits: [1000, -1000], activation: activation, loss: loss)
            XCTAssertEqual(net.predict(Matrix([[1]])).values, [1, 0], "\(activation) output saturates")
            let (gradient, statistics) = net.gradientSum(x: Matrix([[1]]), y: Matrix([targets]))
            XCTAssertTrue(statistics.lossSum.isFinite, "\(activation) + \(loss): loss \(statistics.lossSum)")
            assertFinite(gradient, "\(activation) + \(loss)")
        }
    }

    func testLossSumAndGradient_OutputsExactlyZeroAndOne_FiniteForCrossEntropies() {
        // ŷ = (0, 1) against y = (1, 0): both logarithms would be −∞ without the clamp.
        let a: [Float] = [0, 1], y: [Float] = [1, 0]
        for loss in [Loss.binaryCrossEntropy, .categoricalCrossEntropy] {
            var dz: [Float] = [0, 0]
            let sum = loss.sumAndGradient(logits: a, output: a, targets: y, rows: 1, columns: 2,
                                          activation: .identity, gradient: &dz)
            XCTAssertTrue(sum.isFinite && sum > 10, "\(loss): loss \(sum) should be large and finite")
            assertFinite(dz, "\(loss)")
        }
    }
}
