import Datasets
import Foundation
import NeuralNetwork
import XCTest
@testable import DataParallel

/// `--augment`: each sample's variant depends on (seed, epoch, shard, position) only, so the
/// bitwise guarantees hold with it on; the parts do what their names say; the flag's text and
/// the settings' JSON round-trip, and settings from before augmentation still decode.
final class AugmentationTests: XCTestCase {
    /// A 28×28 digit-like image: a vertical bar 3 pixels wide and a horizontal one.
    func bars() -> [UInt8] {
        var image = [UInt8](repeating: 0, count: 784)
        for y in 6..<22 { for x in 13..<16 { image[y * 28 + x] = 255 } }
        for x in 8..<20 { image[8 * 28 + x] = 200 }
        return image
    }

    func variant(_ augmentation: Augmentation, _ source: [UInt8], seed: UInt64 = 1, epoch: Int = 0, shard: Int = 0, position: Int = 0) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: source.count)
        var g = Augmentation.generator(seed: seed, epoch: epoch, shard: shard, position: position)
        source.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                augmentation.apply(s.baseAddress!, into: o.baseAddress!, height: 28, width: 28, generator: &g, workspace: .init(height: 28, width: 28))
            }
        }
        return out
    }

    func testVariant_DependsOnSeedEpochShardAndPositionOnly() {
        let image = bars()
        XCTAssertEqual(variant(.all, image, position: 5), variant(.all, image, position: 5), "the same key, the same bytes")
        for other in [variant(.all, image, seed: 2, position: 5), variant(.all, image, epoch: 1, position: 5),
                      variant(.all, image, shard: 1, position: 5), variant(.all, image, position: 6)] {
            XCTAssertNotEqual(other, variant(.all, image, position: 5), "another key, another variant")
        }
        XCTAssertEqual(variant(.none, image), image, "none leaves the image as it is")
    }

    func testParts_DoWhatTheySay() {
        let image = bars(), ink = image.map(Int.init).reduce(0, +)
        // Over 30 samples, stroke thickens about a third and thins about a third.
        let inks = (0..<30).map { variant(Augmentation(stroke: true), image, position: $0).map(Int.init).reduce(0, +) }
        XCTAssertGreaterThan(inks.filter { $0 > ink }.count, 4, "\(inks)")
        XCTAssertGreaterThan(inks.filter { $0 < ink }.count, 4, "\(inks)")
        // Affine and elastic move ink but keep about as much of it (the digit stays inside).
        for part in [Augmentation(affine: true), Augmentation(elastic: true)] {
            let moved = (0..<10).map { variant(part, image, position: $0) }
            XCTAssertTrue(moved.allSatisfy { $0 != image }, "\(part) changes every sample")
            for m in moved {
                let kept = Double(m.map(Int.init).reduce(0, +)) / Double(ink)
                XCTAssertTrue((0.4...1.6).contains(kept), "\(part): ink kept \(kept)")
            }
        }
    }

    func testTransforms_IdentityAndQuarterTurn() {
        let image = bars()
        var out = [UInt8](repeating: 0, count: 784)
        let padded = UnsafeMutablePointer<Float>.allocate(capacity: ImageTransforms.paddedCount(height: 28, width: 28))
        defer { padded.deallocate() }
        image.withUnsafeBufferPointer { s in out.withUnsafeMutableBufferPointer { o in
            ImageTransforms.warp(s.baseAddress!, into: o.baseAddress!, height: 28, width: 28, map: .identity, scratch: padded)
        } }
        XCTAssertEqual(out, image)
        // A quarter turn turns the vertical bar (x 13…15, y 6…21) into a horizontal one.
        image.withUnsafeBufferPointer { s in out.withUnsafeMutableBufferPointer { o in
            ImageTransforms.warp(s.baseAddress!, into: o.baseAddress!, height: 28, width: 28, map: .digit(rotation: .pi / 2), scratch: padded)
        } }
        let rows = (0..<28).filter { y in (0..<28).filter { out[y * 28 + $0] > 128 }.count >= 14 }
        XCTAssertEqual(rows, [13, 14, 15], "the bar (x − 13.5 = −0.5…1.5) lies across rows 13…15")
    }

    func testStroke_OnePassGrowsAndShrinksByAPixel() {
        var image = [UInt8](repeating: 0, count: 100)
        for y in 3..<7 { for x in 3..<7 { image[y * 10 + x] = 255 } }
        var scratch = [UInt8](repeating: 0, count: 100)
        var thick = image, thin = image
        thick.withUnsafeMutableBufferPointer { t in scratch.withUnsafeMutableBufferPointer { s in
            ImageTransforms.stroke(t.baseAddress!, height: 10, width: 10, thicker: true, amount: 1, scratch: s.baseAddress!)
        } }
        thin.withUnsafeMutableBufferPointer { t in scratch.withUnsafeMutableBufferPointer { s in
            ImageTransforms.stroke(t.baseAddress!, height: 10, width: 10, thicker: false, amount: 1, scratch: s.baseAddress!)
        } }
        XCTAssertEqual(thick.filter { $0 == 255 }.count, 16 + 4 * 4, "a 4×4 square and a pixel on each side (a cross)")
        XCTAssertEqual(thin.filter { $0 == 255 }.count, 4, "the 2×2 core")
    }

    func testSettings_TextAndJSONRoundTrip_AndOldSettingsDecode() throws {
        for text in ["none", "all", "stroke", "affine+elastic", "elastic+stroke"] {
            let a = try XCTUnwrap(Augmentation(text), text)
            XCTAssertEqual(Augmentation(a.description), a)
        }
        XCTAssertEqual(Augmentation("all")?.description, "stroke+affine+elastic")
        for bad in ["", "rotate", "affine+", "affine+affine", "ALL"] { XCTAssertNil(Augmentation(bad), bad) }
        var settings = TrainingSettings(seed: 3)
        settings.augmentation = Augmentation("affine+elastic")!
        let json = try JSONEncoder().encode(settings)
        XCTAssertTrue(String(decoding: json, as: UTF8.self).contains(#""augment":"affine+elastic""#))
        XCTAssertEqual(try JSONDecoder().decode(TrainingSettings.self, from: json), settings)
        // Settings written before --augment existed: no key, and equal to none.
        let old = try JSONEncoder().encode(TrainingSettings(seed: 3))
        XCTAssertFalse(String(decoding: old, as: UTF8.self).contains("augment"))
        XCTAssertEqual(try JSONDecoder().decode(TrainingSettings.self, from: old).augmentation, .none)
        XCTAssertThrowsError(try JSONDecoder().decode(TrainingSettings.self, from: Data(String(decoding: json, as: UTF8.self)
            .replacingOccurrences(of: "affine+elastic", with: "sideways").utf8)), "a forged augmentation is refused")
    }
}

/// The bitwise guarantee with augmentation on: 1, 2 and 3 workers, and 2 threads, train the
/// same bits as one process, and differ from a run without it (so it did something).
final class AugmentedCoordinatorTests: CoordinatorTests {
    override func setUp() {
        super.setUp()
        settings.augmentation = .all
    }

    func testAugmented_DiffersFromPlain() throws {
        var plain = settings
        plain.augmentation = .none
        XCTAssertNotEqual(try trainLocally(settings, images: images, threads: 1), try trainLocally(plain, images: images, threads: 1))
        XCTAssertBitwiseEqual(try trainLocally(settings, images: images, threads: 2), try trainLocally(settings, images: images, threads: 1),
                              "two threads in one process")
    }
}
