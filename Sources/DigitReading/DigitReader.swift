import Datasets
import NeuralNetwork

/// A trained model that reads drawings: the one code path shared by `digits predict` and
/// the drawing page's `POST /api/predict`, through `MNISTPreprocessing.prepare`.
public struct DigitReader: Sendable {
    public let model: TrainedModel

    /// Checks at start-up that the model reads MNIST-sized images, so that a wrong model is
    /// reported before the first request, not at it.
    public init(model: TrainedModel) throws {
        guard model.imageHeight == MNISTPreprocessing.side, model.imageWidth == MNISTPreprocessing.side else {
            throw UnsuitableModel("the model reads \(model.imageHeight)×\(model.imageWidth) images; the page prepares drawings as MNIST's \(MNISTPreprocessing.side)×\(MNISTPreprocessing.side)")
        }
        self.model = model
        calibration = Calibration(metadata: model.metadata)
    }

    /// The temperature and "not sure" threshold fitted when the model was trained (none for a
    /// model trained without a validation split).
    public let calibration: Calibration

    /// What the network makes of one drawing.
    public struct Reading: Codable, Sendable, Equatable {
        /// The likeliest class.
        public var digit: Int
        /// One probability per class, summing to 1: the softmax output, calibrated with the
        /// model's temperature.
        public var probabilities: [Float]
        /// False when the calibrated confidence is below the model's threshold: in held-out
        /// data, readings that unsure were often wrong, so the second guess is worth showing.
        public var sure: Bool
        /// The two likeliest classes, the likeliest first.
        public var topTwo: [Int]

        enum CodingKeys: String, CodingKey {
            case digit, probabilities, sure, input
            case topTwo = "top_two"
        }
        /// The 28×28 image the network saw, after `MNISTPreprocessing.prepare` (ink 255).
        public var input: Drawing
    }

    /// Prepares `image` as MNIST was made and runs the network on it.
    /// Throws `DatasetError.noInk` for an empty drawing.
    public func read(_ image: GrayImage) throws -> Reading {
        let prepared = try MNISTPreprocessing.prepare(image)
        let input = Matrix(rows: 1, columns: prepared.pixels.count, values: prepared.pixels.map(InputEncoding.normalize))
        let probabilities = calibration.scaled(model.network.predict(input).values).map(Float.init)
        let ranked = probabilities.indices.sorted { probabilities[$0] != probabilities[$1] ? probabilities[$0] > probabilities[$1] : $0 < $1 }
        return Reading(digit: ranked[0], probabilities: probabilities, sure: Double(probabilities[ranked[0]]) >= calibration.unsureBelow,
                       topTwo: Array(ranked.prefix(2)), input: Drawing(prepared))
    }
}

/// A model that cannot read drawings, with a sentence a user can act on.
public struct UnsuitableModel: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A grayscale picture as JSON: `{"width": W, "height": H, "pixels": [...]}`, grey levels
/// 0…255 row by row from the top left. Either polarity works (white on black like MNIST,
/// or dark ink on white paper): `MNISTPreprocessing.prepare` tells them apart, by the border
/// for a clean drawing and by the spread of the pixels for a photo.
public struct Drawing: Codable, Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var pixels: [Int]

    public init(width: Int, height: Int, pixels: [Int]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public init(_ image: GrayImage) {
        self.init(width: image.width, height: image.height, pixels: image.pixels.map(Int.init))
    }
}
