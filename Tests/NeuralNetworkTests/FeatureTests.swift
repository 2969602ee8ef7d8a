import NeuralNetwork
import XCTest

/// Normalisation to [-1, 1] and polynomial features.
final class FeatureTests: XCTestCase {
    func testNormalizer_MapsMinToMinusOneAndMaxToPlusOne() {
        let data = Matrix([[2, -5], [10, 5], [6, 0]])
        let normalized = Normalizer(fitting: data).normalize(data)
        assertClose(normalized.values, [-1, -1, 1, 1, 0, 0], absolute: 1e-6)
    }

    func testNormalizer_Denormalize_RoundTrips() {
        for seed in testSeeds {
            var generator = SeededGenerator(seed: seed)
            let data = generator.matrix(rows: 20, columns: 3, limit: 100)
            let normalizer = Normalizer(fitting: data)
            let normalized = normalizer.normalize(data)
            XCTAssertTrue(normalized.values.allSatisfy { abs($0) <= 1 + 1e-6 }, "seed \(seed)")
            assertClose(normalizer.denormalize(normalized).values, data.values, absolute: 1e-4, "seed \(seed)")
        }
    }

    func testNormalizer_ConstantFeature_GivesZeroNotNaN() {
        let data = Matrix([[3, 1], [3, 2], [3, 4]])
        let normalizer = Normalizer(fitting: data)
        let normalized = normalizer.normalize(data)
        XCTAssertEqual([normalized[0, 0], normalized[1, 0], normalized[2, 0]], [0, 0, 0])
        XCTAssertEqual(normalizer.denormalize(normalized), data)
    }

    func testNormalizer_SingleSample_GivesZeros() {
        XCTAssertEqual(Normalizer(fitting: Matrix([[7, -1]])).normalize(Matrix([[7, -1]])), Matrix([[0, 0]]))
    }

    func testLine_FromNormalizedModel_MapsBackToRawUnits() {
        // x ∈ [0, 10] → mid 5, half 5; y ∈ [20, 40] → mid 30, half 10. y' = 0.5x' + 0.1 means
        // y = 30 + 10(0.5(x − 5)/5 + 0.1) = x + 26.
        let x = Normalizer(midpoints: [5], halfRanges: [5]), y = Normalizer(midpoints: [30], halfRanges: [10])
        let line = Line(normalizedW: 0.5, b: 0.1, x: x, y: y)
        XCTAssertEqual(line.w, 1, accuracy: 1e-6)
        XCTAssertEqual(line.b, 26, accuracy: 1e-5)
    }

    func testPolynomialFeatures_DegreeTwoOfTwoInputs_GivesMonomialsInOrder() {
        let features = PolynomialFeatures(inputs: 2, degree: 2)
        XCTAssertEqual(features.names, ["x1", "x2", "x1^2", "x1*x2", "x2^2"])
        XCTAssertEqual(features.transform(Matrix([[2, 3], [-1, 0.5]])),
                       Matrix([[2, 3, 4, 6, 9], [-1, 0.5, 1, -0.5, 0.25]]))
    }

    func testPolynomialFeatures_ThreeInputsDegreeThree_HasNineteenTerms() {
        // 3 of degree 1, 6 of degree 2, 10 of degree 3.
        let features = PolynomialFeatures(inputs: 3, degree: 3)
        XCTAssertEqual(features.outputs, 19)
        XCTAssertEqual(Set(features.terms).count, 19)
        XCTAssertEqual(features.names.last, "x3^3")
        XCTAssertEqual(features.transform(Matrix([[1, 2, 3]])).values.last, 27)
    }

    func testPolynomialFeatures_DegreeOne_IsIdentity() {
        let x = Matrix([[1, 2, 3], [4, 5, 6]])
        XCTAssertEqual(PolynomialFeatures(inputs: 3, degree: 1).transform(x), x)
    }
}
