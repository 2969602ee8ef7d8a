import XCTest
@testable import Datasets

final class ImageCodecTests: TemporaryDirectoryTestCase {
    func testPNG_EncodeThenDecode_RoundTrips() throws {
        let image = GrayImage(width: 5, height: 3, pixels: (0..<15).map { UInt8($0 * 17) })
        let bytes = image.pngData()
        XCTAssertEqual(Array(bytes.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        XCTAssertEqual(try GrayImage.decode(bytes, name: "memory"), image)
        XCTAssertEqual(try GrayImage.decode(Data(bytes), name: "data"), image)
        let path = directory + "/image.png"
        try image.writePNG(to: path)
        XCTAssertEqual(try GrayImage.read(path: path), image)
    }

    func testPNG_ColourTypesAndDepths_DecodeToGray() throws {
        // RGB 8-bit: white, black, mid gray.
        let rgb = MiniPNG.make(width: 3, height: 1, bitDepth: 8, colorType: 2, rows: [[255, 255, 255, 0, 0, 0, 128, 128, 128]])
        XCTAssertEqual(try GrayImage.decode(rgb, name: "rgb").pixels, [255, 0, 128])
        // RGBA: transparent black composites over white; opaque black stays black.
        let rgba = MiniPNG.make(width: 2, height: 1, bitDepth: 8, colorType: 6, rows: [[0, 0, 0, 0, 0, 0, 0, 255]])
        XCTAssertEqual(try GrayImage.decode(rgba, name: "rgba").pixels, [255, 0])
        // Gray + alpha.
        let grayAlpha = MiniPNG.make(width: 2, height: 1, bitDepth: 8, colorType: 4, rows: [[0, 0, 50, 255]])
        XCTAssertEqual(try GrayImage.decode(grayAlpha, name: "ga").pixels, [255, 50])
        // 16-bit gray: linear light unless the file says otherwise (libpng's rule), sRGB with an sRGB chunk.
        let deep = MiniPNG.make(width: 3, height: 1, bitDepth: 16, colorType: 0, rows: [[0xFF, 0xFF, 0, 0, 0x80, 0x80]])
        XCTAssertEqual(try GrayImage.decode(deep, name: "16").pixels, [255, 0, 186])
        let deepSRGB = Array(deep.prefix(33)) + MiniPNG.chunk("sRGB", [0]) + Array(deep.dropFirst(33))
        XCTAssertEqual(try GrayImage.decode(deepSRGB, name: "16-sRGB").pixels, [255, 0, 128])
        // Palette (2 bits per index) with a transparent entry.
        let palette = MiniPNG.make(width: 4, height: 1, bitDepth: 2, colorType: 3, rows: [[0b00_01_10_00]],
                                   palette: [0, 0, 0, 255, 255, 255, 40, 40, 40], transparency: [255, 255, 0])
        XCTAssertEqual(try GrayImage.decode(palette, name: "palette").pixels, [0, 255, 255, 0])
        // 1-bit gray, two rows.
        let bits = MiniPNG.make(width: 3, height: 2, bitDepth: 1, colorType: 0, rows: [[0b1010_0000], [0b0100_0000]])
        XCTAssertEqual(try GrayImage.decode(bits, name: "1bit").pixels, [255, 0, 255, 0, 255, 0])
    }

    func testPGM_PlainAndRaw_Decode() throws {
        let plain = Array("P2\n# a comment\n3 2\n15\n0 15 5\n10 # trailing comment\n 15 0\n".utf8)
        XCTAssertEqual(try GrayImage.decode(plain, name: "p2"), GrayImage(width: 3, height: 2, pixels: [0, 255, 85, 170, 255, 0]))
        let raw = Array("P5 2 2 255\n".utf8) + [0, 100, 200, 255]
        XCTAssertEqual(try GrayImage.read(path: file("p5.pgm", raw)).pixels, [0, 100, 200, 255])
        let deep = Array("P5\n2 1\n65535\n".utf8) + [0xFF, 0xFF, 0x80, 0x00]
        XCTAssertEqual(try GrayImage.decode(deep, name: "p5-16").pixels, [255, 128])
    }

    func testDecode_EmptyFile_ThrowsUnknownFormat() throws {
        let path = try file("empty.png", [])
        assertThrows(.unknownImageFormat(path: path, firstBytes: []), mentioning: [path, "empty", "PNG or a PGM"]) {
            try GrayImage.read(path: path)
        }
    }

    func testDecode_RandomBytes_ThrowsUnknownFormat() throws {
        var generator = SystemRandomNumberGenerator()
        let bytes = [0x42] + (0..<200).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let path = try file("noise.png", bytes)
        assertThrows(.unknownImageFormat(path: path, firstBytes: Array(bytes.prefix(8)))) { try GrayImage.read(path: path) }
    }

    /// A PNG large enough that IDAT holds real deflate data.
    func samplePNG() -> [UInt8] {
        let pixels = (0..<1200).map { (i: Int) -> UInt8 in UInt8((i * 7 + i / 40 * 13) % 256) }
        return GrayImage(width: 40, height: 30, pixels: pixels).pngData()
    }

    func assertCorruptImage(_ bytes: [UInt8], _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = try self.file(name, bytes)
        assertThrows(file: file, line: line, { try GrayImage.read(path: path) }) { error in
            guard case .corruptImage(path, _) = error else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertTrue(error.description.hasPrefix(path + ": cannot decode the image: "), "\(error)", file: file, line: line)
        }
    }

    func testPNG_Truncated_Throws() throws {
        let png = samplePNG()
        try assertCorruptImage(Array(png.prefix(png.count / 2)), "half.png")
        try assertCorruptImage(Array(png.prefix(20)), "header.png")
    }

    func testPNG_BadCRC_Throws() throws {
        var png = samplePNG()
        png[29] ^= 0x01  // the IHDR chunk's CRC (bytes 29...32)
        try assertCorruptImage(png, "crc.png")
    }

    func testPNG_CorruptZlibWithValidCRC_Throws() throws {
        let image = [UInt8](repeating: 9, count: 64)
        var stream = MiniPNG.zlibStored([0] + image)
        stream[0] = 0x79  // an invalid zlib header (the check bits no longer match)
        let png = Array(MiniPNG.make(width: 64, height: 1, bitDepth: 8, colorType: 0, rows: [image]).prefix(33))
            + MiniPNG.chunk("IDAT", stream) + MiniPNG.chunk("IEND", [])
        try assertCorruptImage(png, "zlib.png")
    }

    func testPNG_HugeDimensions_ThrowBeforeAllocating() throws {
        let header = Array(MiniPNG.make(width: 1, height: 1, bitDepth: 8, colorType: 0, rows: [[0]]).prefix(8))
        let png = header + MiniPNG.chunk("IHDR", MiniPNG.bigEndian(100_000) + MiniPNG.bigEndian(9000) + [8, 0, 0, 0, 0])
            + MiniPNG.chunk("IDAT", MiniPNG.zlibStored([0, 0])) + MiniPNG.chunk("IEND", [])
        assertThrows(.imageSizeOutOfRange(path: "big", width: 100_000, height: 9000, limit: 8192)) {
            try GrayImage.decode(png, name: "big")
        }
    }

    func testPGM_MissingMaxval_Throws() throws {
        let path = try file("nomax.pgm", Array("P5 4 4\n".utf8) + [UInt8](repeating: 200, count: 16))
        assertThrows(file: #filePath, line: #line, { try GrayImage.read(path: path) }) { error in
            XCTAssertTrue(error.description.contains(path) && error.description.contains("missing the maxval"), "\(error)")
        }
    }

    func testPGM_TruncatedOrOutOfRange_Throws() throws {
        try assertCorruptImage(Array("P5 4 4 255\n".utf8) + [1, 2, 3], "short.pgm")
        try assertCorruptImage(Array("P2 2 2 255 1 2 3".utf8), "short-plain.pgm")
        try assertCorruptImage(Array("P2 2 1 10 1 11".utf8), "above.pgm")
        try assertCorruptImage(Array("P2 2 1 0 0 0".utf8), "zero.pgm")
    }
}
