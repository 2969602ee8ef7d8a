import ArgumentParser
import DataParallel
import Foundation
import NeuralNetwork

extension Digits.Bench {
    struct WireBenchmark: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "wire",
            abstract: "Time encoding and decoding of a step and a gradient message against a memcpy of the same bytes.")

        @Option(help: "Parameters in the model (101,770 for 784→128→10).")
        var parameters: Int = 101_770

        @Option(help: "Repetitions; the median is reported.")
        var repetitions: Int = 501

        func validate() throws {
            if parameters < 1 || repetitions < 1 { throw ValidationError("--parameters and --repetitions must be positive") }
        }

        func run() throws {
            let values = (0..<parameters).map { Float($0 % 1000) * 0.001 }
            let step = WireMessage(run: 1, step: 2, .step(.init(position: StepPosition(epoch: 0, step: 1),
                                                                nodes: [TreeNode(first: 0, size: 2)], parameters: values)))
            let gradient = WireMessage(run: 1, step: 2, .gradient(.init(nodes: [
                .init(node: TreeNode(first: 0, size: 2), statistics: BatchStatistics(lossSum: 1, correct: 1, count: 64), values: values)],
                computeSeconds: 0)))
            let stepFrames = step.encoded(), gradientFrames = gradient.encoded()
            func median(_ body: () throws -> Void) rethrows -> Double {
                var times: [Double] = []
                for _ in 0..<repetitions {
                    let start = Clock.now()
                    try body()
                    times.append(Clock.now() - start)
                }
                return times.sorted()[times.count / 2] * 1e6
            }
            var sink = 0
            let bytes = values.count * 4
            // Encoding shares the arrays (no copy); decoding copies each Float32 frame out once,
            // checking a gradient's values to be finite on the way.
            let rows: [(String, Double)] = [
                ("encode step", median { sink &+= step.encoded().head.count }),
                ("decode step", try median { sink &+= try WireMessage(decoding: stepFrames).step == 2 ? 1 : 0 }),
                ("encode gradient", median { sink &+= gradient.encoded().head.count }),
                ("decode gradient", try median { sink &+= try WireMessage(decoding: gradientFrames).step == 2 ? 1 : 0 }),
                ("memcpy of the values", median {
                    let copy = [Float](unsafeUninitializedCapacity: values.count) { buffer, n in
                        values.withUnsafeBufferPointer { buffer.baseAddress!.update(from: $0.baseAddress!, count: $0.count) }
                        n = values.count
                    }
                    sink &+= Int(copy[copy.count / 2])
                }),
            ]
            print("step message of \(stepFrames.head.count) + \(bytes) bytes (\(parameters) Float32 values in a frame of their own), median of \(repetitions):")
            for (name, micros) in rows { print("  " + name.padding(toLength: 22, withPad: " ", startingAt: 0) + String(format: "%8.1f µs", micros)) }
            if sink == 42 { print("") }
        }
    }
}
