import DataParallel
import Foundation
import FuzzSupport
import NeuralNetwork

/// A small model (2×2 images, 4 → 3 → 2), checkpoints of it for each optimiser, and a bare
/// safetensors file, all written by the project's own code.
enum Seeds {
    static func all() throws -> [String: [UInt8]] {
        let settings = TrainingSettings(hidden: [3], epochs: 1, batch: 2, microBatch: 1)
        let architecture = settings.architecture(inputs: 4, classes: 2)
        let model = TrainedModel(network: Network(architecture: architecture, seed: 1), imageHeight: 2, imageWidth: 2,
                                 metadata: ["seed": "1"])
        var seeds = ["model": model.safeTensors().encoded()]
        let scratch = ScratchFile("seed.safetensors")
        for kind in OptimizerKind.allCases {
            var s = settings
            s.optimizer = kind
            var optimizer = Optimizer(s.optimizerConfiguration, parameterCount: architecture.parameterCount)
            optimizer.step = 3
            let checkpoint = Checkpoint(model: model, optimizer: optimizer, settings: s, sampleCount: 8, nextStep: 3, history: [])
            try checkpoint.write(to: scratch.path)
            seeds["checkpoint-\(kind.rawValue)"] = try [UInt8](Data(contentsOf: URL(fileURLWithPath: scratch.path)))
        }
        try? FileManager.default.removeItem(atPath: scratch.path)
        seeds["bare"] = SafeTensors(tensors: [.init(name: "a", shape: [2, 1], values: [1, -0.5]),
                                              .init(name: "empty", shape: [0, 3], values: [])],
                                    metadata: ["k": "v\n\"quoted\""]).encoded()
        // Each as it is and in the form with the header length put in front by the target.
        var inputs: [String: [UInt8]] = [:]
        for (name, bytes) in seeds {
            inputs[name] = Layout.input(bytes, editable: false)
            inputs[name + "-editable"] = Layout.input(bytes, editable: true)
        }
        return inputs
    }
}
