import XCTest
@testable import Datasets

/// The transforms' inline rounding gives the bits of the libm calls it replaces: halves go
/// away from zero (so `floor(v + 0.5)`, which rounds 0.49999997 up, would not do).
final class ImageTransformsRoundingTests: XCTestCase {
    func testByte_IsRoundedHalfAwayFromZeroClampedToAByte() {
        // Every float around the first half (0.4…0.6) and the last (254.4…255.6); then every
        // half up to past the clamp, with its neighbours, and values below 0.
        var mismatches: [Float] = [], checked = 0
        for (low, high): (Float, Float) in [(0.4, 0.6), (254.4, 255.6)] {
            var v = low
            while v <= high {
                if ImageTransforms.byte(v) != UInt8(min(255, max(0, v.rounded()))) { mismatches.append(v) }
                v = v.nextUp
                checked += 1
            }
        }
        for k in 0...600 {
            let half = Float(k) / 2
            for v in [half.nextDown, half, half.nextUp, -half] where ImageTransforms.byte(v) != UInt8(min(255, max(0, v.rounded()))) {
                mismatches.append(v)
            }
        }
        XCTAssertEqual(mismatches.prefix(5), [], "\(mismatches.count) of \(checked) floats")
        XCTAssertGreaterThan(checked, 5_000_000)
        XCTAssertEqual(ImageTransforms.byte(0.49999997), 0)
        XCTAssertEqual(ImageTransforms.byte(0.5), 1)
        XCTAssertEqual(ImageTransforms.byte(254.5), 255)
        XCTAssertEqual(ImageTransforms.byte(1e9), 255)
        XCTAssertEqual(ImageTransforms.byte(-3.5), 0)
    }

    func testFloorToInt_IsFloor() {
        for x: Float in [-1.99, -1.5, -1, -0.5, -Float.leastNonzeroMagnitude, -0.0, 0, 0.5, 0.99999994, 1, 27.5, 30.999998] {
            XCTAssertEqual(ImageTransforms.floorToInt(x), Int(x.rounded(.down)), "\(x)")
        }
    }
}
