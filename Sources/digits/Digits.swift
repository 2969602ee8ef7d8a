import ArgumentParser
import Foundation
import NeuralNetwork

/// The command-line tool. `main` first makes sure OpenBLAS runs its fast kernels (see
/// `BLASStartup`), then hands over to swift-argument-parser.
@main
struct Digits: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digits",
        abstract: "Train a neural network to read handwritten digits, in one process or across many.",
        discussion: """
        Start with `digits launch` (a coordinator and 2 worker processes) or `digits train` \
        (one process) on the embedded MNIST, `digits course` for the exercises of the course \
        in order, and `digits doctor` to see what this machine offers.
        """,
        subcommands: [Launch.self, Train.self, CoordinatorCommand.self, WorkerCommand.self, Evaluate.self, Predict.self, Report.self, Keys.self, Doctor.self, Course.self, Bench.self, Serve.self, Verify.self, ExportPlan.self])

    static func main() {
        BLASStartup.selectCoreTypeOrReexecute()
        do {
            let arguments = EnvironmentArguments.expand(Dashboard.fillingDefault(Array(CommandLine.arguments.dropFirst())),
                                                        environment: ProcessInfo.processInfo.environment)
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}
