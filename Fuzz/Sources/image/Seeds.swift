import Datasets
import FuzzSupport

/// One small image of each kind libpng and the PGM reader tell apart.
enum Seeds {
    static func all() -> [String: [UInt8]] {
        let gray = GrayImage(width: 3, height: 2, pixels: [0, 128, 255, 30, 60, 90])
        let files: [String: [UInt8]] = [
            "gray8.png": gray.pngData(),
            "gray1.png": SeedPNG.file(width: 9, height: 2, bitDepth: 1, colorType: .gray, scanlines: [0, 0b1010_1010, 0x80, 0, 0x55, 0]),
            "gray16-gamma.png": SeedPNG.file(width: 2, height: 1, bitDepth: 16, colorType: .gray,
                                             chunks: [("gAMA", [0, 0, 0xB1, 0x8F])], scanlines: [0, 0x80, 0x80, 0xFF, 0x00]),
            "gray-alpha.png": SeedPNG.file(width: 2, height: 1, bitDepth: 8, colorType: .grayAlpha, scanlines: [0, 0, 255, 0, 0]),
            "rgb-up-filter.png": SeedPNG.file(width: 1, height: 2, bitDepth: 8, colorType: .rgb, scanlines: [0, 255, 0, 0, 2, 1, 2, 3]),
            "rgba16.png": SeedPNG.file(width: 1, height: 1, bitDepth: 16, colorType: .rgba, chunks: [("sRGB", [0])],
                                       scanlines: [0, 0xFF, 0, 0x80, 0, 0, 0xFF, 0x80, 0x00]),
            "palette-trns.png": SeedPNG.file(width: 4, height: 1, bitDepth: 2, colorType: .palette,
                                             chunks: [("PLTE", [0, 0, 0, 255, 255, 255, 255, 0, 0]), ("tRNS", [255, 0])],
                                             scanlines: [0, 0b00_01_10_00]),
            // 2×2 Adam7: pass 1 holds (0,0), pass 6 (1,0), pass 7 the second row.
            "interlaced.png": SeedPNG.file(width: 2, height: 2, bitDepth: 8, colorType: .gray, interlaced: true,
                                           scanlines: [0, 10, 0, 20, 0, 30, 40]),
            "raw.pgm": Array("P5 3 2 255\n".utf8) + gray.pixels,
            "raw16.pgm": Array("P5\n# two bytes a sample\n2 1\n65535\n".utf8) + [0x00, 0x10, 0xFF, 0xFF],
            "plain.pgm": Array("P2\n3 2\n# a comment\n15\n0 7 15\n1 2 3\n".utf8),
        ]
        // Byte 0: 1 for PNGs (their CRCs recomputed by the target), 0 for PGMs (as they are).
        return files.mapValues { [$0.starts(with: [0x89]) ? 1 : 0] + $0 }
    }
}
