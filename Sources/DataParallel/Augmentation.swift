import Datasets
import NeuralNetwork

/// What the training engine does to each training image before the network sees it, so that
/// the model learns digits as people write them and not only as MNIST's writers did.
///
/// Which variant of a sample the network sees depends only on the seed, the epoch, the shard
/// and the sample's place in that shard's order (`generator(…)`), never on the worker that
/// computes it: so 1, 2 or 7 workers, and a redone step, still train bit for bit the same model.
///
/// The parts, applied in this order, each with fixed, documented strengths:
/// - `stroke`: with probability ⅓ strokes thicken by t ~ U(0, 2) pixels a side, with
///   probability ⅓ they thin by t ~ U(0, 1) (`ImageTransforms.stroke`: grey dilation or erosion
///   by a 3×3 cross, the last pass blended by its fraction); else they stay.
/// - `affine`: rotation θ ~ U(−15°, 15°), scale s ~ U(0.85, 1.15) with the aspect changed by
///   a ~ U(0.9, 1.1) (x by s·a, y by s/a), shear x′ = x + h·y with h ~ U(−0.25, 0.25), and a
///   shift of U(−2, 2) pixels each way; about the image's centre.
/// - `elastic` (Simard, Steinkraus & Platt 2003): displacement fields dx, dy with values
///   U(−1, 1) per pixel, smoothed by a Gaussian of σ = 4 pixels (three box blurs,
///   `ImageTransforms.gaussianBlur`) and scaled by α = 34.
///
/// Affine and elastic are one resampling (bilinear, `ImageTransforms.warp`), so their
/// combination blurs no more than either.
public struct Augmentation: Equatable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var stroke: Bool
    public var affine: Bool
    public var elastic: Bool

    public init(stroke: Bool = false, affine: Bool = false, elastic: Bool = false) {
        (self.stroke, self.affine, self.elastic) = (stroke, affine, elastic)
    }

    public static let none = Augmentation()
    public static let all = Augmentation(stroke: true, affine: true, elastic: true)

    public var isNone: Bool { self == .none }

    /// The parts' names, as `--augment` takes them.
    public static let partNames = ["stroke", "affine", "elastic"]

    /// "none", "all", or parts joined by "+" (e.g. "affine+elastic"), in any order.
    public init?(_ text: String) {
        switch text {
        case "none": self = .none
        case "all": self = .all
        default:
            let parts = text.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
            guard !parts.isEmpty, Set(parts).count == parts.count, parts.allSatisfy(Self.partNames.contains) else { return nil }
            self.init(stroke: parts.contains("stroke"), affine: parts.contains("affine"), elastic: parts.contains("elastic"))
        }
    }

    /// "none", or the parts joined by "+" in a fixed order ("stroke+affine+elastic" for all).
    public var description: String {
        let parts = zip(Self.partNames, [stroke, affine, elastic]).filter(\.1).map(\.0)
        return parts.isEmpty ? "none" : parts.joined(separator: "+")
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Augmentation(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "no augmentation \(text)"))
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    static let maximumRotation = 15.0 * Double.pi / 180, scaleRange = 0.15, aspectRange = 0.1, maximumShear = 0.25, maximumShift = 2.0
    static let elasticSigma: Float = 4, elasticAlpha: Float = 34
    static let maximumThickening: Float = 2, maximumThinning: Float = 1

    /// The generator of one sample's variant: the `position`-th sample of `shard`'s order in `epoch`.
    public static func generator(seed: UInt64, epoch: Int, shard: Int, position: Int) -> SeededGenerator {
        SeededGenerator(seed: seed, stream: 0xA06E, UInt64(epoch), UInt64(shard), UInt64(position))
    }

    /// Buffers for one image at a time, reused from sample to sample; `output` holds the last variant.
    public final class Workspace {
        let pixels: Int
        let output: UnsafeMutablePointer<UInt8>
        let image: UnsafeMutablePointer<UInt8>
        let bytes: UnsafeMutablePointer<UInt8>
        let dx: UnsafeMutablePointer<Float>, dy: UnsafeMutablePointer<Float>, floats: UnsafeMutablePointer<Float>

        public init(height: Int, width: Int) {
            pixels = height * width
            output = .allocate(capacity: pixels)
            image = .allocate(capacity: pixels)
            bytes = .allocate(capacity: pixels)
            dx = .allocate(capacity: pixels)
            dy = .allocate(capacity: pixels)
            floats = .allocate(capacity: max(ImageTransforms.paddedCount(height: height, width: width), max(height, width) + 1))
        }

        deinit {
            for p in [output, image, bytes] { p.deallocate() }
            for p in [dx, dy, floats] { p.deallocate() }
        }
    }

    /// The variants of one micro-batch: its k-th sample is the (first + k)-th of `shard`'s
    /// order in `epoch`, wherever the micro-batch is computed.
    public struct MicroBatch {
        public var augmentation: Augmentation
        public var workspace: Workspace
        public var seed: UInt64, epoch: Int, shard: Int, first: Int
        public var height: Int, width: Int

        /// The variant of the k-th sample, `source`, in `workspace.output`.
        func variant(_ k: Int, of source: UnsafePointer<UInt8>) -> UnsafePointer<UInt8> {
            var generator = Augmentation.generator(seed: seed, epoch: epoch, shard: shard, position: first + k)
            augmentation.apply(source, into: workspace.output, height: height, width: width, generator: &generator, workspace: workspace)
            return UnsafePointer(workspace.output)
        }
    }

    /// Writes the variant of `source` (`height`×`width`) that `generator` picks into
    /// `destination`. Stroke and affine draw their numbers whether or not they are on, and
    /// elastic's fields come last, so turning one part on or off leaves the others' draws as
    /// they were.
    public func apply(_ source: UnsafePointer<UInt8>, into destination: UnsafeMutablePointer<UInt8>, height: Int, width: Int,
                      generator g: inout SeededGenerator, workspace w: Workspace) {
        let pixels = height * width
        precondition(pixels == w.pixels, "the augmentation workspace is for \(w.pixels) pixels, not \(pixels)")
        func uniform(_ limit: Double) -> Double { Double(g.nextFloat(limit: Float(limit))) }

        let choice = g.next(below: 3), amount = g.nextUnitFloat()
        let rotation = uniform(Self.maximumRotation), scale = 1 + uniform(Self.scaleRange), aspect = 1 + uniform(Self.aspectRange)
        let shear = uniform(Self.maximumShear), tx = uniform(Self.maximumShift), ty = uniform(Self.maximumShift)

        w.image.update(from: source, count: pixels)
        if stroke && choice > 0 {
            ImageTransforms.stroke(w.image, height: height, width: width, thicker: choice == 1,
                                   amount: amount * (choice == 1 ? Self.maximumThickening : Self.maximumThinning), scratch: w.bytes)
        }
        let map = affine ? ImageTransforms.InverseMap.digit(rotation: rotation, scaleX: scale * aspect, scaleY: scale / aspect,
                                                            shear: shear, tx: tx, ty: ty) : .identity
        if elastic {
            for i in 0..<pixels { w.dx[i] = g.nextFloat(limit: 1) }
            for i in 0..<pixels { w.dy[i] = g.nextFloat(limit: 1) }
            for field in [w.dx, w.dy] {
                ImageTransforms.gaussianBlur(field, height: height, width: width, sigma: Self.elasticSigma, scratch: w.floats)
                for i in 0..<pixels { field[i] *= Self.elasticAlpha }
            }
        }
        if affine || elastic {
            ImageTransforms.warp(w.image, into: destination, height: height, width: width, map: map,
                                 displacement: elastic ? (UnsafePointer(w.dx), UnsafePointer(w.dy)) : nil, scratch: w.floats)
        } else {
            destination.update(from: w.image, count: pixels)
        }
    }
}
