import Foundation

/// A trained network as saved on disk: safetensors with one F32 weight `[outputs, inputs]`
/// and bias `[outputs]` per layer (`layers.0.weight`, `layers.0.bias`, …) and metadata that
/// says what the model is and how it was made.
public struct TrainedModel: Sendable {
    public var network: Network
    public var imageHeight: Int
    public var imageWidth: Int
    /// Free-form facts such as seed, epochs, test accuracy, workers; all strings.
    public var metadata: [String: String]

    public init(network: Network, imageHeight: Int, imageWidth: Int, metadata: [String: String] = [:]) {
        precondition(imageHeight * imageWidth == network.architecture.inputs, "image size does not match the inputs")
        self.network = network
        self.imageHeight = imageHeight
        self.imageWidth = imageWidth
        self.metadata = metadata
    }

    public var classes: Int { network.architecture.outputs }

    public static func weightName(_ l: Int) -> String { "layers.\(l).weight" }
    public static func biasName(_ l: Int) -> String { "layers.\(l).bias" }

    /// The model as safetensors: tensors in layer order, metadata with the architecture.
    public func safeTensors() -> SafeTensors {
        let a = network.architecture
        var tensors: [SafeTensors.Tensor] = []
        for (l, layer) in a.layers.enumerated() {
            let w = a.weightOffset(l), b = a.biasOffset(l)
            tensors.append(.init(name: Self.weightName(l), shape: [layer.outputs, layer.inputs],
                                 values: Array(network.parameters[w..<b])))
            tensors.append(.init(name: Self.biasName(l), shape: [layer.outputs],
                                 values: Array(network.parameters[b..<(b + layer.outputs)])))
        }
        var meta = metadata
        meta["format"] = "digits-model-1"
        meta["architecture"] = String(decoding: try! JSONEncoder.sorted.encode(a), as: UTF8.self)
        meta["summary"] = a.summary
        meta["image_height"] = String(imageHeight)
        meta["image_width"] = String(imageWidth)
        meta["input_normalization"] = InputEncoding.description
        return SafeTensors(tensors: tensors, metadata: meta)
    }

    public func write(to path: String) throws { try safeTensors().write(to: path) }

    /// Loads a model file, checking that tensors and metadata agree and that every weight is finite.
    public init(contentsOf path: String) throws {
        try self.init(safeTensors: SafeTensors(contentsOf: path), source: path)
    }

    public init(safeTensors file: SafeTensors, source: String) throws {
        func fail(_ reason: String) -> SafeTensorsError { SafeTensorsError(source: source, reason: reason) }
        let meta = file.metadata
        guard meta["format"] == "digits-model-1" else {
            throw fail("it is not a digits model (metadata \"format\" is \(meta["format"].map { "\"\($0)\"" } ?? "missing")); train one with `digits train --out FILE`")
        }
        guard let json = meta["architecture"], let architecture = try? JSONDecoder().decode(Architecture.self, from: Data(json.utf8))
        else { throw fail("the \"architecture\" metadata is missing or not an architecture") }
        if let problem = Architecture.problem(layers: architecture.layers) {
            throw fail("the \"architecture\" metadata is invalid: \(problem)")
        }
        guard let height = meta["image_height"].flatMap(Int.init), let width = meta["image_width"].flatMap(Int.init),
              height > 0, width > 0
        else { throw fail("the metadata image_height and image_width must be positive integers") }
        guard [height, width].checkedProduct() == architecture.inputs else {
            throw fail("image_height \(height) × image_width \(width) does not match the network's \(architecture.inputs) inputs")
        }
        var parameters: [Float] = []
        parameters.reserveCapacity(architecture.parameterCount)
        for (l, layer) in architecture.layers.enumerated() {
            for (name, shape) in [(Self.weightName(l), [layer.outputs, layer.inputs]), (Self.biasName(l), [layer.outputs])] {
                guard let t = file.tensor(named: name) else { throw fail("tensor \(name) is missing") }
                guard t.shape == shape else { throw fail("tensor \(name) has shape \(t.shape), the architecture needs \(shape)") }
                // A NaN or ∞ weight makes every answer NaN: refuse it here, not at the first request.
                if let i = t.values.firstIndex(where: { !$0.isFinite }) {
                    throw fail("tensor \(name) holds \(t.values[i]) at index \(i): the weights are not finite (did the training diverge? train again, e.g. with a lower --lr)")
                }
                parameters += t.values
            }
        }
        network = Network(architecture: architecture, parameters: parameters)
        imageHeight = height
        imageWidth = width
        metadata = meta
    }
}

extension JSONEncoder {
    /// An encoder with sorted keys, so that equal values give equal bytes.
    public static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
