/// Held-out variations of a test set, for measuring how a model copes with digits written
/// otherwise than its training set's (`digits evaluate --robustness`). Each is a fixed
/// transform, the same for every image: no randomness, so a figure can be compared between
/// models and runs.
///
/// - thicker by 1 and 2 pixels, thinner by 1: grey dilation or erosion by a 3×3 cross, once or
///   twice (`ImageTransforms.stroke`), as a bold pen or a fine one draws;
/// - rotated by −15° and +15° about the image's centre (`ImageTransforms.warp`), as a slanted
///   hand writes;
/// - small in a corner: the 28×28 digit at its own size in the top-left corner of a 280×280
///   canvas (the drawing page's), and then through `MNISTPreprocessing.prepare`, as the page
///   and `digits predict` read a digit drawn small and off-centre.
public enum RobustnessVariation: String, CaseIterable, Sendable {
    case thicker1 = "thicker by 1 px"
    case thicker2 = "thicker by 2 px"
    case thinner = "thinner by 1 px"
    case rotatedLeft = "rotated −15°"
    case rotatedRight = "rotated +15°"
    case smallInACorner = "small in a corner"

    /// The canvas of `smallInACorner`, and where the digit's top-left corner goes on it.
    static let canvas = 280, corner = 8

    /// Whether the variation can be made of images of this size: `smallInACorner` goes through
    /// the preprocessing, which makes MNIST's 28×28.
    public func applies(height: Int, width: Int) -> Bool {
        self != .smallInACorner || (height == MNISTPreprocessing.side && width == MNISTPreprocessing.side)
    }

    /// The variation of every image of `images`, labels unchanged. Throws what the
    /// preprocessing throws (`DatasetError.noInk` for an image without ink).
    public func apply(to images: ImageSet) throws -> ImageSet {
        let (height, width, n) = (images.height, images.width, images.featureCount)
        precondition(applies(height: height, width: width), "\(rawValue) needs \(MNISTPreprocessing.side)×\(MNISTPreprocessing.side) images")
        var pixels = [UInt8](repeating: 0, count: images.pixels.count)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: ImageTransforms.paddedCount(height: height, width: width))
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: n)
        defer { scratch.deallocate(); bytes.deallocate() }
        // Small in a corner: the digit always lands on the same pixels, the rest stays 0.
        var canvas = [UInt8](repeating: 0, count: self == .smallInACorner ? Self.canvas * Self.canvas : 0)
        for i in 0..<images.count {
            try images.withPixels(of: i) { source in
                try pixels.withUnsafeMutableBufferPointer { all in
                    let out = all.baseAddress! + i * n
                    switch self {
                    case .thicker1, .thicker2, .thinner:
                        out.update(from: source.baseAddress!, count: n)
                        ImageTransforms.stroke(out, height: height, width: width, thicker: self != .thinner,
                                               amount: self == .thicker2 ? 2 : 1, scratch: bytes)
                    case .rotatedLeft, .rotatedRight:
                        // The inverse map of a rotation by θ is the rotation by −θ.
                        let degrees = self == .rotatedRight ? 15.0 : -15.0
                        ImageTransforms.warp(source.baseAddress!, into: out, height: height, width: width,
                                             map: .digit(rotation: degrees * Double.pi / 180), scratch: scratch)
                    case .smallInACorner:
                        for y in 0..<height {
                            for x in 0..<width { canvas[(Self.corner + y) * Self.canvas + Self.corner + x] = source[y * width + x] }
                        }
                        let prepared = try MNISTPreprocessing.prepare(GrayImage(width: Self.canvas, height: Self.canvas, pixels: canvas))
                        out.update(from: prepared.pixels, count: n)
                    }
                }
            }
        }
        return ImageSet(height: height, width: width, classes: images.classes, pixels: pixels, labels: images.labels)
    }
}
