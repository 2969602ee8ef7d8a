import ArgumentParser

extension Digits {
    /// The course's exercises, one subcommand each, in the order the course takes them.
    struct Course: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The exercises of the introductory course, each printing its numbers and drawing an SVG picture.",
            discussion: "Without a subcommand, lists the exercises in the course's order.",
            subcommands: [PredictLife.self, LossSurface.self, GradientDescent.self, Logistic.self, Polynomial.self, Neural.self])

        /// Lists the exercises rather than the usage text, so that `digits course` alone says
        /// where to start and what comes next.
        func run() {
            print("The course's exercises, in order:")
            for (number, exercise) in Course.configuration.subcommands.enumerated() {
                // `_commandName` is the name the parser matches: the configured one, else the type's.
                print("  \(number + 1). " + padded(exercise._commandName, -18) + exercise.configuration.abstract)
            }
            print("""
            Run one with `digits course <exercise>`, such as `digits course predict-life`: each runs \
            without options, says which values it used and how to change them, and writes its picture \
            to course-out/. `digits course <exercise> --help` says what it teaches.
            """)
        }
    }
}
