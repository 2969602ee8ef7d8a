/// One dense (fully connected) layer: `a = g(x·Wᵀ + b)`.
///
/// Shapes: input x is `[batch, inputs]`, weight W is `[outputs, inputs]`, bias b is
/// `[outputs]`, output a is `[batch, outputs]`.
public struct DenseLayer: Equatable, Codable, Sendable {
    public var inputs: Int
    public var outputs: Int
    public var activation: Activation

    public init(inputs: Int, outputs: Int, activation: Activation) {
        precondition(inputs > 0 && outputs > 0, "a layer needs at least one input and one output")
        self.inputs = inputs
        self.outputs = outputs
        self.activation = activation
    }

    /// Parameters in this layer: outputs·inputs weights, then outputs biases.
    public var parameterCount: Int { outputs * inputs + outputs }
}

/// How weights are drawn at initialisation. Both use the uniform form, whose only
/// non-trivial operation is a square root (exact in IEEE arithmetic), so a seed gives the
/// same weights everywhere.
public enum Initializer: String, Codable, Sendable {
    /// He: W ~ U(−√(6/fan_in), √(6/fan_in)), suited to ReLU.
    case he
    /// Xavier/Glorot: W ~ U(−√(6/(fan_in + fan_out)), √(6/(fan_in + fan_out))).
    case xavier
}

/// The shape of a network: its layers in order and the loss at its output.
///
/// All parameters live in one flat buffer: for each layer in order, W (`[outputs, inputs]`,
/// row-major) then b (`[outputs]`). Gradients use the same layout, so one step's gradient
/// is one contiguous array (one message on the wire).
public struct Architecture: Equatable, Codable, Sendable {
    public var layers: [DenseLayer]
    public var loss: Loss

    public init(layers: [DenseLayer], loss: Loss) {
        precondition(!layers.isEmpty, "a network needs at least one layer")
        for (a, b) in zip(layers, layers.dropFirst()) {
            precondition(a.outputs == b.inputs, "layer sizes do not chain: \(a.outputs) → \(b.inputs)")
        }
        self.layers = layers
        self.loss = loss
    }

    /// A multilayer perceptron: `inputs → hidden[0] → … → outputs`.
    public init(inputs: Int, hidden: [Int], outputs: Int,
                hiddenActivation: Activation = .relu, outputActivation: Activation = .softmax,
                loss: Loss = .categoricalCrossEntropy) {
        let sizes = [inputs] + hidden + [outputs]
        var layers: [DenseLayer] = []
        for i in 0..<(sizes.count - 1) {
            let last = i == sizes.count - 2
            layers.append(DenseLayer(inputs: sizes[i], outputs: sizes[i + 1],
                                     activation: last ? outputActivation : hiddenActivation))
        }
        self.init(layers: layers, loss: loss)
    }

    public var inputs: Int { layers[0].inputs }
    public var outputs: Int { layers[layers.count - 1].outputs }
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }

    /// Offset of layer `l`'s weights in the flat buffer; its biases follow them.
    public func weightOffset(_ l: Int) -> Int {
        layers[..<l].reduce(0) { $0 + $1.parameterCount }
    }

    public func biasOffset(_ l: Int) -> Int { weightOffset(l) + layers[l].outputs * layers[l].inputs }

    /// A short human description such as "784→128→10 (relu, softmax; categoricalCrossEntropy)".
    public var summary: String {
        let sizes = ([inputs] + layers.map(\.outputs)).map(String.init).joined(separator: "→")
        return "\(sizes) (\(layers.map(\.activation.rawValue).joined(separator: ", ")); \(loss.rawValue))"
    }
}

/// Limits on architectures that come from outside (a model file, the command line), checked
/// before anything is allocated for them.
extension Architecture {
    /// The most parameters a network may have: 2^28, 1 GiB of Float32 (training keeps a few
    /// such buffers: weights, gradients, optimiser state).
    public static let maximumParameterCount = 1 << 28

    /// Parameters of a perceptron with layer sizes `sizes` (inputs first):
    /// Σᵢ (sᵢ·sᵢ₊₁ + sᵢ₊₁), or nil if that overflows `Int`.
    public static func parameterCount(sizes: [Int]) -> Int? {
        var total = 0
        for (a, b) in zip(sizes, sizes.dropFirst()) {
            guard let weights = [a, b].checkedProduct(), let sum = [total, weights, b].checkedSum() else { return nil }
            total = sum
        }
        return total
    }

    /// Why `layers` (decoded from a file, so never checked by `init`) do not make a usable
    /// network, or nil: every size at least 1, consecutive layers chain, and at most
    /// `maximumParameterCount` parameters, counted without overflow.
    public static func problem(layers: [DenseLayer]) -> String? {
        guard !layers.isEmpty else { return "it has no layers" }
        for (l, layer) in layers.enumerated() where layer.inputs < 1 || layer.outputs < 1 {
            return "layer \(l) has \(layer.inputs) inputs and \(layer.outputs) outputs; every layer needs at least one of each"
        }
        for (l, (a, b)) in zip(layers, layers.dropFirst()).enumerated() where a.outputs != b.inputs {
            return "layer \(l) has \(a.outputs) outputs but layer \(l + 1) has \(b.inputs) inputs"
        }
        let sizes = [layers[0].inputs] + layers.map(\.outputs)
        guard let count = parameterCount(sizes: sizes), count <= maximumParameterCount else {
            return "\(sizes.map(String.init).joined(separator: "→")) needs more than the \(maximumParameterCount) parameters a network may have"
        }
        return nil
    }
}

/// A network: its architecture and its parameters in one flat buffer.
public struct Network: Equatable, Sendable {
    public let architecture: Architecture
    public var parameters: [Float]

    public init(architecture: Architecture, parameters: [Float]) {
        precondition(parameters.count == architecture.parameterCount,
                     "the architecture has \(architecture.parameterCount) parameters, got \(parameters.count)")
        self.architecture = architecture
        self.parameters = parameters
    }

    /// Fresh weights drawn from `seed` (biases zero). The draw order is fixed: layer by layer,
    /// weights row by row, so the same seed gives bit-identical weights everywhere.
    public init(architecture: Architecture, seed: UInt64, initializer: Initializer = .he) {
        var generator = SeededGenerator(seed: seed, stream: 0x1417)
        var parameters = [Float](repeating: 0, count: architecture.parameterCount)
        for (l, layer) in architecture.layers.enumerated() {
            let fanIn = Float(layer.inputs), fanOut = Float(layer.outputs)
            let limit = (initializer == .he ? 6 / fanIn : 6 / (fanIn + fanOut)).squareRoot()
            let offset = architecture.weightOffset(l)
            for i in 0..<(layer.outputs * layer.inputs) {
                parameters[offset + i] = generator.nextFloat(limit: limit)
            }
        }
        self.init(architecture: architecture, parameters: parameters)
    }
}
