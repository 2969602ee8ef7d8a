import Foundation
import NeuralNetwork

/// What `GET /api/model` says about the model, for the page's model panel: the network's
/// shape, how well it reads the test set and how it was trained (from the file's metadata).
public struct ModelDescription: Codable, Sendable, Equatable {
    /// The model file's name (not its path).
    public var name: String
    /// e.g. "784→128→10 (relu, softmax; categoricalCrossEntropy)".
    public var summary: String
    /// Layer sizes from input to output, e.g. [784, 128, 10].
    public var layers: [Int]
    /// Each layer's activation, e.g. ["relu", "softmax"].
    public var activations: [String]
    /// The training loss, e.g. "categoricalCrossEntropy".
    public var loss: String
    public var parameters: Int
    public var classes: Int
    /// Accuracy on the test set when it was trained (0…1), if recorded.
    public var testAccuracy: Double?
    public var epochs: Int?
    public var workers: Int?
    public var seed: String?
    /// "train", "launch", … : the command that trained it.
    public var trainedBy: String?
    /// Every other training fact recorded in the file (batch, optimizer, learning_rate, …).
    public var training: [String: String]
    /// Where the training report is served, or nil when there is none beside the model.
    public var report: String?

    /// Metadata that is shown in its own field, or describes the file format rather than training.
    static let structural: Set = ["format", "architecture", "summary", "image_height", "image_width",
                                  "input_normalization", "test_accuracy", "epochs", "workers", "seed", "trained_by"]

    public init(_ model: TrainedModel, name: String, report: String?) {
        let a = model.network.architecture
        let meta = model.metadata
        self.name = name
        summary = a.summary
        layers = [a.inputs] + a.layers.map(\.outputs)
        activations = a.layers.map(\.activation.rawValue)
        loss = a.loss.rawValue
        parameters = a.parameterCount
        classes = model.classes
        testAccuracy = meta["test_accuracy"].flatMap(Double.init)
        epochs = meta["epochs"].flatMap(Int.init)
        workers = meta["workers"].flatMap(Int.init)
        seed = meta["seed"]
        trainedBy = meta["trained_by"]
        training = meta.filter { !Self.structural.contains($0.key) }
        self.report = report
    }

    enum CodingKeys: String, CodingKey {
        case name, summary, layers, activations, loss, parameters, classes, epochs, workers, seed, training, report
        case testAccuracy = "test_accuracy", trainedBy = "trained_by"
    }
}
