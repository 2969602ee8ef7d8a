import Foundation
import NeuralNetwork
import XCTest
@testable import Datasets

/// How a photo of a digit on paper is made from an MNIST digit (white ink on black): the digit
/// enlarged `factor` times, placed at (`left`, `top`) on a `width`×`height` sheet, each
/// pixel of reflectance paper − (paper − ink)·coverage, lit by
///
///     L(x, y) = (1 − (1 − gradient)·(x/(W−1) + y/(H−1))/2) · (1 − vignette·r²)
///
/// (full light in the top left corner, `gradient` of it in the bottom right; r the distance
/// from the centre over the half diagonal), plus Gaussian noise of σ = `noise` grey levels.
struct PhotoRecipe {
    var factor = 4.0
    var size: (width: Int, height: Int)? = nil
    var left = 0, top = 0
    var paper = 170.0, ink = 60.0
    var noise = 0.0, gradient = 1.0, vignette = 0.0

    /// The photo of `digit`, and the box of its ink (coverage ≥ 0.2 of the largest, as
    /// `MNISTPreprocessing.cropThreshold` counts it).
    func photo(of digit: GrayImage, seed: UInt64) -> (image: GrayImage, digitBox: InkImage.Box) {
        let side = Int((Double(digit.width) * factor).rounded())
        let width = size?.width ?? side, height = size?.height ?? side
        let coverage = render(digit, factor: factor, width: width, height: height, left: left, top: top)
        let peak = Double(coverage.pixels.max()!)
        var generator = SeededGenerator(seed: seed)
        var pixels = [UInt8](repeating: 0, count: width * height)
        var box = InkImage.Box(left: width, top: height, width: 0, height: 0)
        var right = -1, bottom = -1
        for y in 0..<height {
            for x in 0..<width {
                let c = Double(coverage[x, y]) / 255
                if peak > 0 && Double(coverage[x, y]) >= 0.2 * peak {
                    box.left = min(box.left, x); box.top = min(box.top, y); right = max(right, x); bottom = max(bottom, y)
                }
                let dx = Double(x) - Double(width) / 2, dy = Double(y) - Double(height) / 2
                let r2 = (dx * dx + dy * dy) / (Double(width * width + height * height) / 4)
                let light = (1 - (1 - gradient) * (Double(x) / Double(width - 1) + Double(y) / Double(height - 1)) / 2) * (1 - vignette * r2)
                let value = (paper - (paper - ink) * c) * light + noise * generator.gaussian()
                pixels[y * width + x] = UInt8(min(255, max(0, value.rounded())))
            }
        }
        box.width = right - box.left + 1
        box.height = bottom - box.top + 1
        return (GrayImage(width: width, height: height, pixels: pixels), box)
    }
}

extension SeededGenerator {
    /// A standard normal value (Box–Muller).
    mutating func gaussian() -> Double {
        let u1 = (Double(next() >> 11) + 0.5) * 0x1p-53, u2 = Double(next() >> 11) * 0x1p-53
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}

/// Photos of digits on paper (grey, noisy, unevenly lit, faint, small in a large picture)
/// are cleaned up before the crop: the crop box is the digit's, and what comes out reads as
/// the clean MNIST digit does.
final class PhotoPreprocessingTests: XCTestCase {
    /// The first test digit of each class, 0 to 9.
    func digits() throws -> [(image: GrayImage, label: Int)] {
        let test = try loadedMNIST().test
        return (0..<10).map { label in
            let index = test.labels.firstIndex(of: UInt8(label))!
            return (test.image(index), label)
        }
    }

    /// For each digit: the photo takes the photo path, the crop box is within `tolerance`
    /// pixels of the digit's on every side, the 28×28 result correlates with the clean digit's
    /// (prepared the same way) by at least 0.8, and the model reads both alike for 9 of 10.
    func assertReadLikeTheCleanDigit(_ recipe: PhotoRecipe, tolerance: Int = 4, file: StaticString = #filePath, line: UInt = #line) throws {
        let reader = try trainedReader(file: file, line: line)
        var agreements = 0, worst = 1.0
        for (index, (digit, label)) in try digits().enumerated() {
            let (photo, digitBox) = recipe.photo(of: digit, seed: UInt64(index))
            XCTAssertFalse(MNISTPreprocessing.hasFlatBorder(photo), "digit \(label): a photo takes the photo path", file: file, line: line)
            let ink = try MNISTPreprocessing.ink(of: photo)
            let box = ink.box(threshold: MNISTPreprocessing.cropThreshold * ink.peak)
            let offsets = [box.left - digitBox.left, box.top - digitBox.top,
                           box.left + box.width - digitBox.left - digitBox.width, box.top + box.height - digitBox.top - digitBox.height]
            XCTAssertLessThanOrEqual(offsets.map(abs).max()!, tolerance,
                                     "digit \(label): cropped to \(box), the digit is at \(digitBox)", file: file, line: line)
            let clean = try MNISTPreprocessing.prepare(digit)
            // What `prepare(photo)` returns, without cleaning the photo up twice.
            let prepared = MNISTPreprocessing.fitted(ink, in: box)
            let r = correlation(prepared.pixels, clean.pixels)
            worst = min(worst, r)
            XCTAssertGreaterThanOrEqual(r, 0.8, "digit \(label)", file: file, line: line)
            if reader.digit(in: prepared) == reader.digit(in: clean) { agreements += 1 }
        }
        XCTAssertGreaterThanOrEqual(agreements, 9, "read as the clean digit", file: file, line: line)
        print("\(name): worst correlation with the clean digit \(String(format: "%.3f", worst)), read alike \(agreements) of 10")
    }

    /// The comparisons below mean something only if the model reads digits.
    func testReader_ReadsMostOfTheFirstThousandTestDigits() throws {
        let reader = try trainedReader(), test = try loadedMNIST().test
        let correct = (0..<1000).filter { reader.digit(in: test.image($0)) == Int(test.labels[$0]) }.count
        XCTAssertGreaterThan(correct, 900)
    }

    func testPrepare_GreyPaper_IsReadLikeTheCleanDigit() throws {
        try assertReadLikeTheCleanDigit(PhotoRecipe(paper: 170, ink: 60, noise: 3))
    }

    func testPrepare_NoisyPhoto_IsReadLikeTheCleanDigit() throws {
        try assertReadLikeTheCleanDigit(PhotoRecipe(paper: 170, ink: 60, noise: 20))
    }

    /// Lit from the top left: the paper goes from 220 to 88 in the opposite corner, where it is
    /// as dark as the ink in the lit one. The clean path's crop box reaches that corner.
    func testPrepare_LitFromOneCorner_IsReadLikeTheCleanDigit() throws {
        let recipe = PhotoRecipe(paper: 220, ink: 70, noise: 4, gradient: 0.4)
        try assertReadLikeTheCleanDigit(recipe)
        let (photo, _) = recipe.photo(of: try digits()[3].image, seed: 3)
        let clean = try MNISTPreprocessing.cleanInk(photo)
        let box = clean.box(threshold: MNISTPreprocessing.cropThreshold * clean.peak)
        XCTAssertEqual([box.left + box.width, box.top + box.height], [photo.width, photo.height],
                       "the clean path takes the dark corner for ink: \(box)")
    }

    /// Vignetting: the corners get 40% of the centre's light.
    func testPrepare_VignettedPhoto_IsReadLikeTheCleanDigit() throws {
        try assertReadLikeTheCleanDigit(PhotoRecipe(paper: 210, ink: 70, noise: 4, vignette: 0.6))
    }

    /// Pencil: the ink only 25 grey levels below the paper.
    func testPrepare_LowContrast_IsReadLikeTheCleanDigit() throws {
        try assertReadLikeTheCleanDigit(PhotoRecipe(paper: 170, ink: 145, noise: 3))
    }

    /// A 56-pixel digit in the bottom right of a 400×300 photo, lit unevenly.
    func testPrepare_SmallDigitOffCentreInALargePhoto_IsReadLikeTheCleanDigit() throws {
        try assertReadLikeTheCleanDigit(PhotoRecipe(factor: 2, size: (400, 300), left: 310, top: 215, noise: 6, gradient: 0.6))
    }

    /// Paper photographed below mid-grey, where the clean path's polarity (the border's mean
    /// against 127.5) would take the paper for ink.
    func testPrepare_DimPaper_IsReadLikeTheCleanDigit() throws {
        try assertReadLikeTheCleanDigit(PhotoRecipe(paper: 110, ink: 40, noise: 4))
    }

    /// Chalk on a board: light ink on dark, unevenly lit.
    func testPrepare_LightInkOnDarkBoard_IsReadLikeTheCleanDigit() throws {
        try assertReadLikeTheCleanDigit(PhotoRecipe(paper: 50, ink: 210, noise: 6, vignette: 0.4))
    }

    /// Whatever the pixels, a picture gives a 28×28 image or `noInk`, and never traps: small
    /// and thin pictures of random pixels (the photo path's fit then has fewer samples than
    /// terms, or one column), 300 of them.
    func testPrepare_RandomSmallPictures_GiveAnImageOrNoInk() {
        var generator = SeededGenerator(seed: 18)
        for _ in 0..<300 {
            let width = 1 + generator.next(below: 12), height = 1 + generator.next(below: 12)
            let spread = 1 + generator.next(below: 256)
            let pixels = (0..<(width * height)).map { _ in UInt8(generator.next(below: spread)) }
            do {
                let prepared = try MNISTPreprocessing.prepare(GrayImage(width: width, height: height, pixels: pixels))
                XCTAssertEqual([prepared.width, prepared.height], [28, 28])
            } catch {
                XCTAssertEqual(error as? DatasetError, .noInk, "\(width)×\(height): \(pixels)")
            }
        }
    }

    /// The paper alone, under each of the photos' conditions, has no ink.
    func testPrepare_BlankPhotos_ThrowNoInk() {
        let blank = GrayImage(width: 28, height: 28, pixels: [UInt8](repeating: 0, count: 784))
        let recipes = [
            PhotoRecipe(noise: 3), PhotoRecipe(noise: 20), PhotoRecipe(paper: 220, noise: 4, gradient: 0.4),
            PhotoRecipe(paper: 210, noise: 4, vignette: 0.6), PhotoRecipe(factor: 2, size: (400, 300), noise: 6, gradient: 0.6),
            PhotoRecipe(paper: 50, noise: 6, vignette: 0.4),
        ]
        for (r, recipe) in recipes.enumerated() {
            for seed: UInt64 in 0..<3 {
                let (photo, _) = recipe.photo(of: blank, seed: seed)
                assertThrows({ try MNISTPreprocessing.prepare(photo) }) { error in
                    XCTAssertEqual(error, .noInk, "blank photo \(r), seed \(seed)")
                }
            }
        }
    }
}
