import NeuralNetwork
import XCTest

/// Each update rule against the formula, from a gradient sum over `count` samples.
final class OptimizerTests: XCTestCase {
    func testSGD_OneStep_IsWeightsMinusRateTimesMeanGradient_BitExact() {
        for seed in testSeeds {
            var generator = SeededGenerator(seed: seed)
            var weights = (0..<10).map { _ in generator.nextFloat(limit: 1) }
            let sum = (0..<10).map { _ in generator.nextFloat(limit: 4) }
            let alpha: Float = 0.3
            // With count = 4, sum/4 and sum·(1/4) are the same Float, so the update is exactly
            // w − α·(sum/count): bitwise identity is the property, so bit patterns are compared.
            let expected = zip(weights, sum).map { w, g in w - alpha * (g / 4) }
            var optimizer = Optimizer(OptimizerConfiguration(kind: .sgd, learningRate: alpha), parameterCount: 10)
            optimizer.update(parameters: &weights, gradientSum: sum, count: 4)
            XCTAssertEqual(weights.map(\.bitPattern), expected.map(\.bitPattern), "seed \(seed)")
            XCTAssertEqual(optimizer.step, 1)
        }
    }

    func testSGD_CountNotAPowerOfTwo_DividesByCount() {
        var weights: [Float] = [1, -2]
        var optimizer = Optimizer(OptimizerConfiguration(kind: .sgd, learningRate: 0.5), parameterCount: 2)
        optimizer.update(parameters: &weights, gradientSum: [3, -6], count: 3)
        // w − 0.5·(3/3) = 0.5 and −2 − 0.5·(−6/3) = −1.
        assertClose(weights, [0.5, -1], absolute: 1e-6)
    }

    func testMomentum_TwoSteps_MatchHandComputedSequence() {
        var weights: [Float] = [1, 0]
        var optimizer = Optimizer(OptimizerConfiguration(kind: .momentum, learningRate: 0.1, momentum: 0.9),
                                  parameterCount: 2)
        // Step 1: g = (1, −2)/2 = (0.5, −1); v = g; w = (1 − 0.05, 0 + 0.1) = (0.95, 0.1).
        optimizer.update(parameters: &weights, gradientSum: [1, -2], count: 2)
        assertClose(weights, [0.95, 0.1], absolute: 1e-6)
        // Step 2: g = (−0.5, 1)/2 = (−0.25, 0.5); v = 0.9·(0.5, −1) + g = (0.2, −0.4);
        // w = (0.95 − 0.02, 0.1 + 0.04) = (0.93, 0.14).
        optimizer.update(parameters: &weights, gradientSum: [-0.5, 1], count: 2)
        assertClose(optimizer.firstMoment, [0.2, -0.4], absolute: 1e-6)
        assertClose(weights, [0.93, 0.14], absolute: 1e-6)
    }

    func testMomentumZero_EqualsSGD() {
        var a: [Float] = [0.3, -0.7], b = a
        var momentum = Optimizer(OptimizerConfiguration(kind: .momentum, learningRate: 0.2, momentum: 0), parameterCount: 2)
        var sgd = Optimizer(OptimizerConfiguration(kind: .sgd, learningRate: 0.2), parameterCount: 2)
        for sum: [Float] in [[1, 2], [-3, 0.5], [0.25, 0.25]] {
            momentum.update(parameters: &a, gradientSum: sum, count: 2)
            sgd.update(parameters: &b, gradientSum: sum, count: 2)
        }
        // Plain SGD is momentum with μ = 0: the same operations, so bit-identical results.
        XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern))
    }

    func testAdam_TwoSteps_MatchHandComputedSequence() {
        var weights: [Float] = [1]
        var optimizer = Optimizer(OptimizerConfiguration(kind: .adam, learningRate: 0.1, beta1: 0.9,
                                                         beta2: 0.999, epsilon: 1e-8), parameterCount: 1)
        // Step 1: g = 1/2 = 0.5; m = 0.1·0.5 = 0.05; s = 0.001·0.25 = 0.00025;
        // m̂ = 0.05/0.1 = 0.5, ŝ = 0.00025/0.001 = 0.25; w = 1 − 0.1·0.5/(0.5 + 1e-8) = 0.9.
        optimizer.update(parameters: &weights, gradientSum: [1], count: 2)
        XCTAssertEqual(optimizer.firstMoment[0], 0.05, accuracy: 1e-7)
        // 1 − β₂ is 0.00099998713 in Float (0.999 is not exact), hence the looser tolerances on s.
        XCTAssertEqual(optimizer.secondMoment[0], 0.00025, accuracy: 1e-8)
        XCTAssertEqual(weights[0], 0.9, accuracy: 1e-6)
        // Step 2: g = −0.5/2 = −0.25; m = 0.9·0.05 − 0.025 = 0.02; s = 0.999·0.00025 + 0.001·0.0625
        // = 0.00031225; m̂ = 0.02/0.19 = 0.1052632, ŝ = 0.00031225/0.001999 = 0.1562031;
        // w = 0.9 − 0.1·0.1052632/√0.1562031 = 0.8733663.
        optimizer.update(parameters: &weights, gradientSum: [-0.5], count: 2)
        XCTAssertEqual(optimizer.firstMoment[0], 0.02, accuracy: 1e-7)
        XCTAssertEqual(optimizer.secondMoment[0], 0.00031225, accuracy: 1e-8)
        XCTAssertEqual(weights[0], 0.8733663, accuracy: 1e-6)
        XCTAssertEqual(optimizer.step, 2)
    }

    func testUpdate_ZeroCount_LeavesWeightsAndStepUnchanged() {
        var weights: [Float] = [1, 2]
        var optimizer = Optimizer(OptimizerConfiguration(kind: .adam, learningRate: 0.1), parameterCount: 2)
        optimizer.update(parameters: &weights, gradientSum: [5, 5], count: 0)
        XCTAssertEqual(weights, [1, 2])
        XCTAssertEqual(optimizer.step, 0)
    }
}
