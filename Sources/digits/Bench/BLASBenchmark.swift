import ArgumentParser

extension Digits.Bench {
    struct BLASBenchmark: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "blas", abstract: "Not written yet.")
        func run() throws { throw ValidationError("digits bench blas is not written yet") }
    }
}
