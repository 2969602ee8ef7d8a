import NeuralNetwork
import XCTest

/// The seeded generator is SplitMix64 exactly, and a seed fixes the initial weights.
final class RandomTests: XCTestCase {
    /// SplitMix64 by hand, from Vigna's reference code, to pin the generator's outputs:
    /// state += 0x9E3779B97F4A7C15; z = state; z = (z ^ z>>30)·0xBF58476D1CE4E5B9;
    /// z = (z ^ z>>27)·0x94D049BB133111EB; return z ^ z>>31 (all mod 2⁶⁴).
    /// The same numbers come from Python: `(z ^ (z >> 30)) * 0xBF58476D1CE4E5B9 & (2**64 - 1)` etc.
    func testSeededGenerator_Seeds0And42_GiveSplitMix64ReferenceOutputs() {
        var zero = SeededGenerator(seed: 0)
        XCTAssertEqual((0..<3).map { _ in zero.next() },
                       [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
        var fortyTwo = SeededGenerator(seed: 42)
        XCTAssertEqual((0..<3).map { _ in fortyTwo.next() },
                       [0xBDD7_3226_2FEB_6E95, 0x28EF_E333_B266_F103, 0x4752_6757_130F_9F52])
    }

    func testSeededGenerator_MatchesIndependentSplitMix64_OverManyDraws() {
        for seed in testSeeds + [UInt64.max] {
            var generator = SeededGenerator(seed: seed)
            var state = seed
            for i in 0..<1000 {
                state = state &+ 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                let expected = z ^ (z >> 31)
                let actual = generator.next()
                guard actual == expected else { return XCTFail("seed \(seed), draw \(i): \(actual) ≠ \(expected)") }
            }
        }
    }

    func testSeededGenerator_Stream_GivesPinnedOutput() {
        // From the same Python SplitMix64: g = SplitMix64(42); g.state = g.next() ^ (0 · 0xD6E8FEB86659FD93);
        // the stream's state is g.next(), and its first output is pinned here.
        var generator = SeededGenerator(seed: 42, stream: 0)
        XCTAssertEqual(generator.next(), 0x6310_BF04_D820_7F46)
    }

    func testNetworkInit_Seed42_GivesPinnedWeights() {
        // Computed independently in Python/numpy float32 from the documented draw order:
        // stream (42, 0x1417), w = ((next() >> 40)·2⁻²⁴·2 − 1)·√(6/3), row by row; biases 0.
        // A change here breaks every saved run that relies on its seed: the bits are the property.
        let layer = DenseLayer(inputs: 3, outputs: 2, activation: .identity)
        let network = Network(architecture: Architecture(layers: [layer], loss: .halfMeanSquaredError), seed: 42)
        XCTAssertEqual(network.parameters.map(\.bitPattern),
                       [0x3EB5_6EC0, 0x3F8E_225B, 0x3F94_3A46, 0x3F91_DB22, 0x3F80_D287, 0xBF28_F079, 0, 0])
    }

    func testSeededGenerator_UnitFloat_IsTopTwentyFourBitsScaled() {
        var generator = SeededGenerator(seed: 0)
        // 0xE220A8397B1DCDAF >> 40 = 0xE220A8 = 14819496; 14819496 / 2²⁴ = 0.883302…, exact in Float.
        XCTAssertEqual(generator.nextUnitFloat(), Float(0xE2_20A8) / 16_777_216)
    }

    func testSeededGenerator_BelowBound_StaysInRangeAndCoversIt() {
        for seed in testSeeds {
            var generator = SeededGenerator(seed: seed)
            var seen = Set<Int>()
            for _ in 0..<500 {
                let value = generator.next(below: 7)
                XCTAssertTrue((0..<7).contains(value), "seed \(seed): \(value)")
                seen.insert(value)
            }
            XCTAssertEqual(seen.count, 7, "seed \(seed)")
        }
    }

    func testSeededGenerator_Permutation_IsAPermutation() {
        for seed in testSeeds {
            var generator = SeededGenerator(seed: seed)
            let p = generator.permutation(50)
            XCTAssertEqual(p.sorted(), Array(0..<50), "seed \(seed)")
            XCTAssertNotEqual(p, Array(0..<50), "seed \(seed)")
        }
    }

    func testSeededGenerator_DifferentStreams_GiveDifferentNumbers() {
        var a = SeededGenerator(seed: 42, stream: 0), b = SeededGenerator(seed: 42, stream: 1)
        var c = SeededGenerator(seed: 42, stream: 0, 1), d = SeededGenerator(seed: 42, stream: 1, 0)
        let draws = [a.next(), b.next(), c.next(), d.next()]
        XCTAssertEqual(Set(draws).count, 4, "\(draws)")
    }

    func testNetworkInit_SameSeed_GivesBitIdenticalWeights() {
        let architecture = Architecture(inputs: 784, hidden: [32], outputs: 10)
        for seed in testSeeds {
            for initializer in [Initializer.he, .xavier] {
                let first = Network(architecture: architecture, seed: seed, initializer: initializer)
                let second = Network(architecture: architecture, seed: seed, initializer: initializer)
                // Bitwise identity is the property here: compare bit patterns, not values within a tolerance.
                XCTAssertEqual(first.parameters.map(\.bitPattern), second.parameters.map(\.bitPattern),
                               "seed \(seed), \(initializer)")
            }
        }
    }

    func testNetworkInit_DifferentSeeds_GiveDifferentWeights() {
        let architecture = Architecture(inputs: 20, hidden: [8], outputs: 3)
        let weights = testSeeds.map { Network(architecture: architecture, seed: $0).parameters.map(\.bitPattern) }
        XCTAssertEqual(Set(weights).count, testSeeds.count)
    }

    func testNetworkInit_WeightsWithinInitializerLimitsAndBiasesZero() {
        let architecture = Architecture(inputs: 50, hidden: [20], outputs: 4)
        for seed in testSeeds {
            let network = Network(architecture: architecture, seed: seed, initializer: .he)
            for (l, layer) in architecture.layers.enumerated() {
                let limit = (6 / Float(layer.inputs)).squareRoot()
                let w = network.parameters[architecture.weightOffset(l)..<architecture.biasOffset(l)]
                let b = network.parameters[architecture.biasOffset(l)..<(architecture.biasOffset(l) + layer.outputs)]
                XCTAssertTrue(w.allSatisfy { abs($0) <= limit }, "seed \(seed), layer \(l)")
                XCTAssertGreaterThan(w.map(abs).max()!, limit / 2, "seed \(seed), layer \(l): weights spread over the range")
                XCTAssertTrue(b.allSatisfy { $0 == 0 }, "seed \(seed), layer \(l)")
            }
        }
    }
}
