import DataParallel
import NeuralNetwork

/// The sizes `train`, `coordinator` and `launch` accept, so that a mistyped number is a
/// sentence at the start instead of an overflow trap or a terabyte allocation an hour in.
/// Every product is computed with checked arithmetic: flags go up to `Int.max`.
enum TrainingLimits {
    static let layerSize = 65_536
    static let hiddenLayers = 64
    static let epochs = 100_000
    static let batch = 1 << 20
    /// S = batch ÷ micro-batch.
    static let shards = 65_536
    /// Every shard keeps a gradient sum of all P parameters: S·P floats, at most 2^30 (4 GiB).
    static let gradientFloats = 1 << 30
    /// A thread's buffers for one micro-batch of m samples (`Workspace`, input and targets):
    /// m·(inputs + Σ layer outputs + 2·classes + 2·widest) floats, at most 2^28 (1 GiB).
    static let activationFloats = 1 << 28

    /// The embedded MNIST's shape, which the flags are checked against before `--data` is read.
    static let mnist = (inputs: 784, classes: 10)
}

extension TrainingOptions {
    /// The first of these flags' sizes that is beyond `TrainingLimits` for a network of
    /// `inputs` inputs and `classes` outputs, as a sentence naming the flag, or nil.
    func sizeProblem(inputs: Int, classes: Int) -> String? {
        let s = settings, limits = TrainingLimits.self
        if s.hidden.count > limits.hiddenLayers {
            return "--layers: at most \(limits.hiddenLayers) hidden layers, not \(s.hidden.count)"
        }
        if let wide = s.hidden.first(where: { $0 > limits.layerSize }) {
            return "--layers: a hidden layer has at most \(limits.layerSize) units, not \(wide)"
        }
        if s.epochs > limits.epochs { return "--epochs must be at most \(limits.epochs), not \(s.epochs)" }
        if s.batch > limits.batch { return "--batch must be at most \(limits.batch), not \(s.batch)" }
        let shards = s.shardCount
        if shards > limits.shards {
            return "--batch ÷ --micro-batch makes \(shards) shards, at most \(limits.shards) are allowed: raise --micro-batch"
        }
        let sizes = [inputs] + s.hidden + [classes]
        let maximum = Architecture.maximumParameterCount
        guard let parameters = Architecture.parameterCount(sizes: sizes), parameters <= maximum else {
            let count = Architecture.parameterCount(sizes: sizes).map(String.init) ?? "more than \(Int.max)"
            return "--layers \(layers) makes \(sizes.map(String.init).joined(separator: "→")) with \(count) parameters; "
                + "a network may have at most \(maximum)"
        }
        guard let gradients = [shards, parameters].checkedProduct(), gradients <= limits.gradientFloats else {
            return "--batch ÷ --micro-batch makes \(shards) shards, each keeping a gradient of \(parameters) parameters: "
                + "shards × parameters may be at most \(limits.gradientFloats); raise --micro-batch or shrink --layers"
        }
        let widest = sizes.max()!
        let perSample = (sizes + [classes, classes, widest, widest]).checkedSum() ?? Int.max
        guard let buffers = [s.microBatch, perSample].checkedProduct(), buffers <= limits.activationFloats else {
            return "--micro-batch \(s.microBatch) needs \(s.microBatch) × \(perSample) floats of buffers per thread, "
                + "at most \(limits.activationFloats) are allowed: lower --micro-batch or shrink --layers"
        }
        return nil
    }
}
