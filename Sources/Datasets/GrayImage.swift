#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A grayscale image with 8 bits per pixel: 0 = black, 255 = white, as PNG and PGM store it.
///
/// Pixel (x, y), column x from the left and row y from the top, is `pixels[y·width + x]`.
/// Note the polarity: a scan of a pen digit is dark ink (low) on white (high); MNIST's
/// convention is the opposite, which `MNISTPreprocessing.prepare` produces.
public struct GrayImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let pixels: [UInt8]

    /// The largest width or height decoded from a file (8192): bigger images are refused
    /// before their pixels are allocated.
    public static let maximumSide = 8192

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 1 && height >= 1, "an image has at least one row and one column")
        precondition(pixels.count == width * height, "\(pixels.count) pixels are not \(width)×\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The pixel at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> UInt8 {
        precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) is outside \(width)×\(height)")
        return pixels[y * width + x]
    }

    /// The same image with every pixel v replaced by 255 − v.
    public func inverted() -> GrayImage {
        GrayImage(width: width, height: height, pixels: pixels.map { 255 - $0 })
    }

    /// Decodes a PNG or PGM (P2 or P5) image, recognised by its first bytes, not its name.
    /// `name` labels errors (a path, or e.g. "the uploaded image").
    public static func decode(_ bytes: [UInt8], name: String) throws -> GrayImage {
        if bytes.starts(with: PNG.signature) { return try PNG.decode(bytes, name: name) }
        if bytes.count >= 2 && bytes[0] == UInt8(ascii: "P") && (bytes[1] == UInt8(ascii: "2") || bytes[1] == UInt8(ascii: "5")) {
            return try PGM.decode(bytes, name: name)
        }
        throw DatasetError.unknownImageFormat(path: name, firstBytes: Array(bytes.prefix(8)))
    }

    /// Decodes a PNG or PGM image held in `data` (e.g. an HTTP upload).
    public static func decode(_ data: Data, name: String) throws -> GrayImage {
        try decode([UInt8](data), name: name)
    }

    /// Reads and decodes the PNG or PGM image file at `path`.
    public static func read(path: String) throws -> GrayImage {
        // A PNG's compressed size is bounded by its pixels only loosely; 256 MiB is generous.
        try decode(DataFile.rawContents(of: path, limit: 1 << 28), name: path)
    }

    /// Writes the image as an 8-bit grayscale PNG file.
    public func writePNG(to path: String) throws {
        try DataFile.write(PNG.encode(self), to: path)
    }

    /// Checks decoded sizes against `maximumSide` before anything is allocated.
    static func checkSize(width: Int, height: Int, name: String) throws {
        guard (1...maximumSide).contains(width) && (1...maximumSide).contains(height) else {
            throw DatasetError.imageSizeOutOfRange(path: name, width: width, height: height, limit: maximumSide)
        }
    }
}
