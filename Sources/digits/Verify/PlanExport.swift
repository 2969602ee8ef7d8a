import DataParallel
import Datasets
import NeuralNetwork

/// Everything another implementation needs to replay a digits run (plan.json of
/// `digits export-plan`): the settings and formulas, the learning rate of every step, and
/// the samples of every step, by row of the exported training images.
struct PlanExport: Codable {
    var format = "digits-plan-1"
    var settings: TrainingSettings
    /// Layer sizes, inputs first: 784, hidden…, classes. Dense layers y = x·Wᵀ + b, W [outputs, inputs].
    var layers: [Int]
    var hiddenActivation = Activation.relu.rawValue
    var loss = "softmax cross-entropy, summed over the step's samples (softmax and categorical cross-entropy fused: ∂loss/∂z = softmax(z) − onehot(y))"
    var inputEncoding = "x · s with s = Float32(1/255), on the uint8 pixels (\(InputEncoding.description))"
    var inputScale = InputEncoding.scale
    var gradient = "g = G · Float32(1 / count): G = Σ over the step's samples of ∂loss/∂w (per micro-batch, then a fixed pairwise tree over the shards), count = samples in the step"
    var optimizer: Optimizer
    var schedule: Schedule
    /// α_t = Float32(α · factor(t)) for every global step t, as the update uses it.
    var learningRates: [Float]
    var sampleCount: Int
    var imageHeight: Int
    var imageWidth: Int
    var classes: Int
    var shardCount: Int
    var microBatch: Int
    var stepsPerEpoch: Int
    /// For every global step, for every shard in shard order, the rows (of train-images.u8)
    /// of its micro-batch; a shard that has run out gives an empty one.
    var steps: [[[Int]]]
    var files: Files

    struct Optimizer: Codable {
        var kind: String
        var learningRate: Float
        var momentum: Float
        var beta1: Float
        var beta2: Float
        var epsilon: Float
        var formula: String

        enum CodingKeys: String, CodingKey {
            case kind, momentum, beta1, beta2, epsilon, formula
            case learningRate = "learning_rate"
        }
    }

    struct Schedule: Codable {
        var kind: String
        var formula: String
    }

    struct Files: Codable {
        var initialWeights = "initial.safetensors"
        var images = "train-images.u8"
        var labels = "train-labels.u8"
        /// digits' weights after each epoch.
        var epochs: [String]

        enum CodingKeys: String, CodingKey {
            case images, labels, epochs
            case initialWeights = "initial_weights"
        }
    }

    enum CodingKeys: String, CodingKey {
        case format, settings, layers, loss, gradient, optimizer, schedule, classes, steps, files
        case hiddenActivation = "hidden_activation", inputEncoding = "input_encoding", inputScale = "input_scale"
        case learningRates = "learning_rates", sampleCount = "sample_count", imageHeight = "image_height", imageWidth = "image_width"
        case shardCount = "shard_count", microBatch = "micro_batch", stepsPerEpoch = "steps_per_epoch"
    }

    static func epochFile(_ epoch: Int) -> String { "epoch-\(epoch).safetensors" }

    init(plan: Plan, architecture: Architecture, images: ImageSet) {
        let s = plan.settings
        settings = s
        layers = [architecture.inputs] + architecture.layers.map(\.outputs)
        let c = s.optimizerConfiguration
        let formula = switch c.kind {
        case .sgd: "w := w − α_t g"
        case .momentum: "v := μ v + g (v₀ = 0, no dampening, not Nesterov), w := w − α_t v"
        case .adam: "m := β₁ m + (1 − β₁) g, s := β₂ s + (1 − β₂) g², w := w − α_t m̂ / (√ŝ + ε) with m̂ = m / c₁, ŝ = s / c₂, c = Float32(1 − βᵗ) computed in Double, t from 1"
        }
        optimizer = Optimizer(kind: c.kind.rawValue, learningRate: c.learningRate, momentum: c.momentum,
                              beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon, formula: formula)
        schedule = Schedule(kind: s.schedule.rawValue, formula: s.schedule == .constant
                            ? "factor(t) = 1"
                            : "factor(t) = Float32(½(1 + cos(π t / T))) in Double, t = 0…T−1 the global step, T = \(plan.totalSteps) steps")
        learningRates = (0..<plan.totalSteps).map { s.learningRate * s.schedule.factor(step: $0, of: plan.totalSteps) }
        sampleCount = plan.sampleCount
        (imageHeight, imageWidth, classes) = (images.height, images.width, images.classes)
        (shardCount, microBatch, stepsPerEpoch) = (plan.shardCount, plan.microBatch, plan.stepsPerEpoch)
        var steps: [[[Int]]] = []
        for epoch in 0..<s.epochs {
            let orders = plan.shards.enumerated().map { shard, members in
                ShardSchedule.order(seed: s.seed, epoch: epoch, shard: shard, size: members.count)
            }
            for step in 0..<plan.stepsPerEpoch {
                steps.append(plan.shards.enumerated().map { shard, members in
                    ShardSchedule.microBatch(step: step, microBatch: plan.microBatch, size: members.count).map { members[orders[shard][$0]] }
                })
            }
        }
        self.steps = steps
        files = Files(epochs: (1...s.epochs).map(Self.epochFile))
    }
}
