import ArgumentParser

extension Digits.Bench {
    struct ZeroMQBenchmark: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "zmq", abstract: "Not written yet.")
        func run() throws { throw ValidationError("digits bench zmq is not written yet") }
    }
}
