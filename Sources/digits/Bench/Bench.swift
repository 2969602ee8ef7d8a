import ArgumentParser

extension Digits {
    /// Micro-benchmarks that print figures; `Scripts/bench` runs them beside the references.
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure the parts of digits that decide its speed (BLAS products, ZeroMQ round trips, message coding).",
            subcommands: [BLASBenchmark.self, ZeroMQBenchmark.self, WireBenchmark.self])
    }
}
