import Datasets
import DigitReading

extension Drawing {
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
