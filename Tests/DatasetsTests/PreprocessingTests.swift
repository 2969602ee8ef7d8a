import XCTest
import Datasets

final class PreprocessingTests: XCTestCase {
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

    /// Clean pictures, each exactly background plus ink: MNIST digits as they are, the same
    /// enlarged 2.5× in dark ink on a light canvas, strokes drawn as the page draws them (white,
    /// 22 pixels wide, on a black 280×280 canvas; the last one runs off the edge) and dark pen
    /// strokes on white paper.
    func cleanPictures() throws -> [(family: String, pictures: [GrayImage])] {
        let test = try loadedMNIST().test
        let digits = (0..<20).map(test.image)
        let ring = (0..<24).map { k -> (Double, Double, Double, Double) in
            let a = Double(k) * .pi / 12, b = Double(k + 1) * .pi / 12
            return (140 + 70 * cos(a), 140 + 100 * sin(a), 140 + 70 * cos(b), 140 + 100 * sin(b))
        }
        let page: [[(Double, Double, Double, Double)]] = [
            [(140, 40, 140, 240)],
            [(60, 50, 220, 50), (220, 50, 110, 240)],
            [(170, 30, 60, 180), (60, 180, 230, 180), (170, 30, 170, 250)],
            ring,
            [(40, 40, 240, 40), (240, 40, 120, 290)],
        ]
        let pen: [[(Double, Double, Double, Double)]] = [
            [(31.5, 5, 31.5, 11)],
            [(20, 24, 80, 24), (76, 28, 46, 88)],
            [(25, 20, 70, 20), (70, 20, 45, 50), (45, 50, 75, 70), (75, 70, 25, 90)],
        ]
        return [
            ("MNIST test digits 0..<20", digits),
            ("the same, 2.5× in dark ink on a light 100×80 canvas",
             digits.map { render($0, factor: 2.5, width: 100, height: 80, left: 23, top: 5).inverted() }),
            ("page drawings", page.map { strokes($0, width: 22, side: 280) }),
            ("pen on white paper", zip(pen, [(3.0, 40), (8, 100), (7, 100)]).map { strokes($0, width: $1.0, side: $1.1, ink: 0, background: 255) }),
        ]
    }

    /// Bit-for-bit identity is the property here: a clean picture (flat background plus ink)
    /// must give the same 28×28 bytes as before the photo clean-up was added. The digests were
    /// computed with the preprocessing of commit 2754b61, which had only the clean path.
    func testPrepare_CleanPictures_GiveTheSameBytesAsBeforeThePhotoCleanUp() throws {
        let expected = [
            "MNIST test digits 0..<20": "a583cd838a0c6c08a0c9b0d35e58412a285812e154a4016eb54ea415a2c499c2",
            "the same, 2.5× in dark ink on a light 100×80 canvas": "9ceccad73f918e167199ab02180489f0c223054a9665b147ad47472ac44a4855",
            "page drawings": "3a6f363ea5999c01a57a43c4fad5198cafa0c094278847288a30811525900b47",
            "pen on white paper": "c823eb09022f7c0fe77e34750401cb990b383f0df192097b5196116735b16443",
        ]
        for (family, pictures) in try cleanPictures() {
            let bytes = try pictures.flatMap { try MNISTPreprocessing.prepare($0).pixels }
            XCTAssertEqual(SHA256.hash(bytes), expected[family], family)
        }
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
