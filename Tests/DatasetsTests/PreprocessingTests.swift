import XCTest
import Datasets

final class PreprocessingTests: XCTestCase {
    /// Pearson's correlation of two equally long pixel arrays.
    func correlation(_ a: [UInt8], _ b: [UInt8]) -> Double {
        let x = a.map(Double.init), y = b.map(Double.init)
        let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in 0..<x.count {
            sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); syy += (y[i] - my) * (y[i] - my)
        }
        return sxy / (sxx * syy).squareRoot()
    }

    /// `image` enlarged by `factor` with bilinear interpolation (written here, independently of
    /// the module), pasted at (`left`, `top`) on a `width`×`height` canvas of `background`.
    func render(_ image: GrayImage, factor: Double, width: Int, height: Int, left: Int, top: Int,
                background: UInt8 = 0) -> GrayImage {
        var pixels = [UInt8](repeating: background, count: width * height)
        let side = Int((Double(image.width) * factor).rounded())
        for y in 0..<side {
            for x in 0..<side {
                let sx = min(max((Double(x) + 0.5) / factor - 0.5, 0), Double(image.width - 1))
                let sy = min(max((Double(y) + 0.5) / factor - 0.5, 0), Double(image.height - 1))
                let x0 = Int(sx), y0 = Int(sy), x1 = min(x0 + 1, image.width - 1), y1 = min(y0 + 1, image.height - 1)
                let fx = sx - Double(x0), fy = sy - Double(y0)
                let top0 = Double(image[x0, y0]) * (1 - fx) + Double(image[x1, y0]) * fx
                let bottom0 = Double(image[x0, y1]) * (1 - fx) + Double(image[x1, y1]) * fx
                pixels[(y + top) * width + x + left] = UInt8((top0 * (1 - fy) + bottom0 * fy).rounded())
            }
        }
        return GrayImage(width: width, height: height, pixels: pixels)
    }

    func testPrepare_RenderedMNISTDigits_RecoverTheOriginal() throws {
        let test = try loadedMNIST().test
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        var worst = 1.0
        for index in 0..<30 {
            let original = test.image(index)
            // Twice the size, dark ink on white, through a PNG file.
            let big = render(original, factor: 2, width: 56, height: 56, left: 0, top: 0).inverted()
            try big.writePNG(to: directory + "/\(index).png")
            let fromPNG = try MNISTPreprocessing.prepare(GrayImage.read(path: directory + "/\(index).png"))
            // 2.5 times the size, off-centre on a 100×80 light-gray canvas.
            let canvas = render(original, factor: 2.5, width: 100, height: 80, left: 23, top: 5).inverted()
            let fromCanvas = try MNISTPreprocessing.prepare(canvas)
            for prepared in [fromPNG, fromCanvas] {
                XCTAssertEqual([prepared.width, prepared.height], [28, 28])
                let r = correlation(prepared.pixels, original.pixels)
                worst = min(worst, r)
                XCTAssertGreaterThan(r, 0.8, "test image \(index), label \(test.labels[index])")
            }
        }
        print("worst correlation of a prepared rendering with its MNIST original: \(worst)")
    }

    func testPrepare_MNISTDigit_IsNearlyUnchanged() throws {
        let test = try loadedMNIST().test
        for index in 0..<10 {
            let prepared = try MNISTPreprocessing.prepare(test.image(index))
            XCTAssertGreaterThan(correlation(prepared.pixels, test.image(index).pixels), 0.85)
        }
    }

    func testPrepare_SmallDrawing_IsScaledToTwentyPixels() throws {
        // A 3×6 bar of black ink on a white 40×40 canvas: scaled to 10×20, centred.
        var pixels = [UInt8](repeating: 255, count: 40 * 40)
        for y in 5..<11 { for x in 30..<33 { pixels[y * 40 + x] = 0 } }
        let prepared = try MNISTPreprocessing.prepare(GrayImage(width: 40, height: 40, pixels: pixels))
        // Count pixels at least half inked; the fractional centring may blur one edge row.
        let inked = (0..<784).filter { prepared.pixels[$0] >= 128 }
        let rows = Set(inked.map { $0 / 28 }), columns = Set(inked.map { $0 % 28 })
        XCTAssertEqual(Double(rows.count), 20, accuracy: 1)
        XCTAssertEqual(Double(columns.count), 10, accuracy: 1)
        XCTAssertEqual(prepared.pixels.max(), 255)
        XCTAssertEqual(Double(rows.min()! + rows.max()!) / 2, 14, accuracy: 1)
        XCTAssertEqual(Double(columns.min()! + columns.max()!) / 2, 14, accuracy: 1)
    }

    func testPrepare_BlankImages_ThrowNoInk() {
        for value: UInt8 in [0, 255, 128] {
            assertThrows(.noInk, mentioning: ["the image has no ink: draw or pass a digit"]) {
                try MNISTPreprocessing.prepare(GrayImage(width: 30, height: 20, pixels: [UInt8](repeating: value, count: 600)))
            }
        }
        // Faint noise of ±10 levels is not ink either.
        var noise = [UInt8](repeating: 240, count: 600)
        for i in stride(from: 0, to: 600, by: 7) { noise[i] = 230 }
        assertThrows(.noInk) { try MNISTPreprocessing.prepare(GrayImage(width: 30, height: 20, pixels: noise)) }
    }
}
