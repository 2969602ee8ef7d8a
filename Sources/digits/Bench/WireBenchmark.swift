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
            let stepBytes = step.encoded(), gradientBytes = gradient.encoded()
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
            let rows: [(String, Double)] = [
                ("encode step", median { sink &+= step.encoded().count }),
                ("decode step", try median { sink &+= try WireMessage(decoding: stepBytes).step == 2 ? 1 : 0 }),
                ("encode gradient", median { sink &+= gradient.encoded().count }),
                ("decode gradient", try median { sink &+= try WireMessage(decoding: gradientBytes).step == 2 ? 1 : 0 }),
                ("memcpy of the bytes", median {
                    let copy = [UInt8](unsafeUninitializedCapacity: stepBytes.count) { buffer, n in
                        stepBytes.withUnsafeBytes { buffer.baseAddress!.update(from: $0.bindMemory(to: UInt8.self).baseAddress!, count: $0.count) }
                        n = stepBytes.count
                    }
                    sink &+= Int(copy[copy.count / 2])
                }),
            ]
            print("message of \(stepBytes.count) bytes (\(parameters) Float32 values), median of \(repetitions):")
            for (name, micros) in rows { print("  " + name.padding(toLength: 22, withPad: " ", startingAt: 0) + String(format: "%8.1f µs", micros)) }
            if sink == 42 { print("") }
        }
    }
}
