import ArgumentParser
import NeuralNetwork
import Plots

extension Digits.Course {
    /// Exercise 4: logistic regression, a line that separates two classes.
    struct Logistic: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Logistic regression ŷ = σ(w₁x₁ + w₂x₂ + b) on two clouds of points.",
            discussion: """
            Teaches classification: the sigmoid σ turns w·x + b into a probability, the \
            cross-entropy loss J = −1/m Σ [y log ŷ + (1 − y) log(1 − ŷ)] measures it, and the \
            decision boundary ŷ = 0.5 is the straight line w·x + b = 0. The data: two Gaussian \
            clouds of 50 points, centred at (−1, −0.8) and (1, 0.8) with standard deviation 0.6, \
            drawn from --seed and normalised to [-1, 1]. Defaults: α = 1, 300 steps.
            """)

        @OptionGroup var descent: DescentOptions

        @OptionGroup var options: CourseOptions

        func run() throws {
            let data = TwoClassData.clouds(seed: options.seed)
            let learningRate = descent.learningRate ?? 1, steps = descent.steps ?? 300
            let model = Classifier.logistic(data, learningRate: Float(learningRate), steps: steps)
            let p = model.network.parameters
            print("Logistic regression on \(data.name) (\(data.labels.count) points), from w = b = 0.")
            print(usage(descent.settings(learningRate: learningRate, steps: steps) + [options.seedSetting],
                        hint: "try --lr 0.05 for smaller steps (as accurate, less sure: a higher loss), or --seed 2 for other clouds"))
            print("Learned w₁ = \(fixed(Double(p[0]))), w₂ = \(fixed(Double(p[1]))), b = \(fixed(Double(p[2]))).")
            print("Decision boundary (ŷ = 0.5): \(linearExpression(Array(p[0..<2]), names: ["x₁", "x₂"], bias: p[2])) = 0")
            print("Accuracy: \(percent(model.accuracy(on: data)))   cross-entropy loss: \(fixed(model.loss(on: data)))")
            try options.save(Figure(plots: [model.plot(data, title: "Logistic regression: a straight boundary",
                                                       legend: .outside)]),
                             as: "logistic")
        }
    }
}
