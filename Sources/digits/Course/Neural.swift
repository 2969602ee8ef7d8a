import ArgumentParser
import NeuralNetwork
import Plots

extension Digits.Course {
    /// Exercise 6: a small neural network learns a boundary no line or single curve gives.
    struct Neural: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A small neural network 2 → hidden → 2 (ReLU, softmax) on XOR clouds.",
            discussion: """
            Teaches what hidden layers add: each ReLU unit draws a line, and the next layer \
            combines them into regions of any shape, learned by backpropagation. The data: four \
            Gaussian clouds of 40 points (standard deviation 0.18) at (±0.5, ±0.5), class 1 where \
            x₁ and x₂ have opposite signs, drawn from --seed; the seed also draws the initial \
            weights. Training is full-batch with the Adam optimiser; defaults: α = 0.05, 300 steps. \
            Logistic regression on the same points is printed for comparison.
            """)

        static let defaultHidden = [8, 8]

        @Option(help: ArgumentHelp("Sizes of the hidden layers, comma-separated.", valueName: "sizes"))
        var hidden = LayerSizes(Neural.defaultHidden)

        @OptionGroup var descent: DescentOptions

        @OptionGroup var options: CourseOptions

        func run() throws {
            let data = TwoClassData.xor(seed: options.seed)
            let learningRate = descent.learningRate ?? 0.05, steps = descent.steps ?? 300
            let architecture = Architecture(inputs: 2, hidden: hidden.sizes, outputs: 2)
            var network = Network(architecture: architecture, seed: options.seed)
            network.fit(x: data.x, y: data.oneHot,
                        optimizer: OptimizerConfiguration(kind: .adam, learningRate: Float(learningRate)), steps: steps)
            let model = Classifier(network: network, features: nil, outputColumn: 1)
            let line = Classifier.logistic(data, learningRate: 1, steps: steps)
            print("Neural network \(architecture.summary), \(architecture.parameterCount) parameters, on \(data.name) (\(data.labels.count) points), trained by full-batch Adam.")
            let layers = Setting("hidden layers \(hidden)", isDefault: hidden.sizes == Neural.defaultHidden)
            print(usage([layers] + descent.settings(learningRate: learningRate, steps: steps) + [options.seedSetting],
                        hint: "try --hidden 3 to see too few units fail, or --steps 5 to stop it half-trained"))
            print(padded("model", -34) + padded("accuracy", 9) + padded("loss", 9))
            print(padded("logistic regression (a line)", -34) + padded(percent(line.accuracy(on: data)), 9)
                  + padded(fixed(line.loss(on: data)), 9))
            print(padded("neural network", -34) + padded(percent(model.accuracy(on: data)), 9)
                  + padded(fixed(model.loss(on: data)), 9))
            let sizes = ([2] + hidden.sizes + [2]).map(String.init).joined(separator: "→")
            try options.save(Figure(plots: [model.plot(data, title: "Neural network \(sizes): learned regions",
                                                       legend: .outside)]), as: "neural")
        }
    }
}

/// Layer sizes given as "8,8" on the command line.
struct LayerSizes: ExpressibleByArgument, CustomStringConvertible {
    var sizes: [Int]

    init(_ sizes: [Int]) { self.sizes = sizes }

    /// Accepts one to four comma-separated sizes from 1 to 512; anything else is refused
    /// (ArgumentParser then names the option and the bad value).
    init?(argument: String) {
        let sizes = argument.split(separator: ",", omittingEmptySubsequences: false)
            .map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard (1...4).contains(sizes.count), sizes.allSatisfy({ $0 != nil && (1...512).contains($0!) }) else { return nil }
        self.sizes = sizes.map { $0! }
    }

    var description: String { sizes.map(String.init).joined(separator: ",") }
    var defaultValueDescription: String { description }
}
