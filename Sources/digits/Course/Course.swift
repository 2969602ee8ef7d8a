import ArgumentParser

extension Digits {
    /// The course's exercises, one subcommand each.
    struct Course: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The exercises of the introductory course, each printing its numbers and drawing an SVG picture.",
            subcommands: [PredictLife.self, LossSurface.self, GradientDescent.self, Logistic.self, Polynomial.self, Neural.self])
    }
}
