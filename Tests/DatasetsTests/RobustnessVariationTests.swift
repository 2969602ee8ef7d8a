import XCTest
@testable import Datasets

/// The robustness variations: fixed (twice the same bytes), each doing what its name says,
/// and the small digit in a corner read back by the preprocessing close to the original.
final class RobustnessVariationTests: XCTestCase {
    func testVariations_AreFixedAndDoWhatTheySay() throws {
        let test = try loadedMNIST().test.subset(Array(0..<50))
        func ink(_ set: ImageSet) -> Int { set.pixels.reduce(0) { $0 + Int($1) } }
        for variation in RobustnessVariation.allCases {
            let varied = try variation.apply(to: test)
            XCTAssertEqual(varied, try variation.apply(to: test), "\(variation.rawValue) is the same every time")
            XCTAssertEqual(varied.labels, test.labels)
            XCTAssertNotEqual(varied.pixels, test.pixels, "\(variation.rawValue) changes the images")
        }
        XCTAssertGreaterThan(ink(try RobustnessVariation.thicker2.apply(to: test)), ink(try RobustnessVariation.thicker1.apply(to: test)))
        XCTAssertGreaterThan(ink(try RobustnessVariation.thicker1.apply(to: test)), ink(test))
        XCTAssertLessThan(ink(try RobustnessVariation.thinner.apply(to: test)), ink(test))
        // Rotations keep about the ink; the small digit comes back centred, like the original.
        let rotated = Double(ink(try RobustnessVariation.rotatedLeft.apply(to: test))) / Double(ink(test))
        XCTAssertEqual(rotated, 1, accuracy: 0.1)
        let small = try RobustnessVariation.smallInACorner.apply(to: test)
        for i in 0..<10 {
            let a = test.pixels(of: i).map(Double.init), b = small.pixels(of: i).map(Double.init)
            let ma = a.reduce(0, +) / 784, mb = b.reduce(0, +) / 784
            let cov = zip(a, b).reduce(0) { $0 + ($1.0 - ma) * ($1.1 - mb) }
            let r = cov / (sqrt(a.reduce(0) { $0 + ($1 - ma) * ($1 - ma) }) * sqrt(b.reduce(0) { $0 + ($1 - mb) * ($1 - mb) }))
            XCTAssertGreaterThan(r, 0.7, "test digit \(i) read back from the corner: correlation \(r)")
        }
        XCTAssertFalse(RobustnessVariation.smallInACorner.applies(height: 32, width: 32))
        XCTAssertTrue(RobustnessVariation.thicker1.applies(height: 32, width: 32))
    }
}
