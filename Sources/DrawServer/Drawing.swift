import Datasets

/// A grayscale picture as JSON: `{"width": W, "height": H, "pixels": [...]}`, grey levels
/// 0…255 row by row from the top left. Either polarity works (white on black like MNIST,
/// or dark ink on white paper): `MNISTPreprocessing.prepare` tells them apart by the border.
public struct Drawing: Codable, Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var pixels: [Int]

    public init(width: Int, height: Int, pixels: [Int]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    init(_ image: GrayImage) {
        self.init(width: image.width, height: image.height, pixels: image.pixels.map(Int.init))
    }

    /// The picture as an image, or an error that says which number is wrong.
    func image(maximumSide: Int) throws -> GrayImage {
        let sides = 1...maximumSide
        guard sides.contains(width), sides.contains(height) else {
            throw APIError(.badRequest, "the drawing is \(width)×\(height) pixels; width and height must be 1…\(maximumSide)")
        }
        guard pixels.count == width * height else {
            throw APIError(.badRequest, "\"pixels\" has \(pixels.count) values; a \(width)×\(height) drawing needs width × height = \(width * height)")
        }
        if let i = pixels.firstIndex(where: { !(0...255).contains($0) }) {
            throw APIError(.badRequest, "pixel \(i) is \(pixels[i]); grey levels are 0…255")
        }
        return GrayImage(width: width, height: height, pixels: pixels.map { UInt8($0) })
    }
}
