import ArgumentParser
import Foundation
import NeuralNetwork

extension Digits.Bench {
    /// Times `sgemm` on the products one training step of the 784→128→10 network makes.
    struct BLASBenchmark: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "blas",
            abstract: "Time sgemm on the matrix products of a 784→128→10 network, on one BLAS thread.",
            discussion: """
            For micro-batches of 32 and 128: forward X·W1ᵀ and H·W2ᵀ, backward δ2ᵀ·H (dW2), \
            δ1ᵀ·X (dW1) and δ2·W2. Each figure is 2·m·n·k floating-point operations divided by \
            the median time of one call. The kernels are those of the OpenBLAS core type shown; \
            set OPENBLAS_CORETYPE to compare others.
            """)

        @Option(help: "Micro-batch sizes (rows of X) to time.")
        var batchSizes: [Int] = [32, 128]

        @Option(help: "Timed samples per shape; the median is reported.")
        var samples = 51

        @Option(help: "Minimum duration of one sample, in milliseconds (short products are repeated).")
        var sampleMilliseconds = 2.0

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func validate() throws {
            guard !batchSizes.isEmpty, batchSizes.allSatisfy({ $0 > 0 }) else {
                throw ValidationError("--batch-sizes needs positive sizes, such as --batch-sizes 32 --batch-sizes 128")
            }
            guard samples > 0 else { throw ValidationError("--samples must be at least 1") }
            guard sampleMilliseconds > 0 else { throw ValidationError("--sample-milliseconds must be positive") }
        }

        func run() throws {
            BLAS.threads = 1
            let results = batchSizes.flatMap { m in
                Shape.digitsNetwork(batch: m).map { $0.measure(samples: samples, minimumSeconds: sampleMilliseconds / 1000) }
            }
            let report = Report(coreType: BLAS.coreType, threads: BLAS.threads,
                                configuration: BLAS.configuration, results: results)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                report.printTable()
            }
        }
    }
}

extension Digits.Bench.BLASBenchmark {
    /// One product `C[m×n] = op(A)[m×k] · op(B)[k×n]`, named after the step it belongs to.
    struct Shape {
        var name: String
        /// The micro-batch size the product belongs to.
        var batch: Int
        var m: Int, n: Int, k: Int
        var transposeA = false, transposeB = false

        /// The products of one forward and backward pass of 784→128→10 on `batch` rows.
        /// Shapes: X is [batch, 784], W1 [128, 784], H [batch, 128], W2 [10, 128], δ1 [batch, 128], δ2 [batch, 10].
        static func digitsNetwork(batch m: Int) -> [Shape] {
            [Shape(name: "forward X·W1ᵀ", batch: m, m: m, n: 128, k: 784, transposeB: true),
             Shape(name: "forward H·W2ᵀ", batch: m, m: m, n: 10, k: 128, transposeB: true),
             Shape(name: "dW2 = δ2ᵀ·H", batch: m, m: 10, n: 128, k: m, transposeA: true),
             Shape(name: "dW1 = δ1ᵀ·X", batch: m, m: 128, n: 784, k: m, transposeA: true),
             Shape(name: "δ2·W2", batch: m, m: m, n: 128, k: 10)]
        }

        var flops: Double { 2 * Double(m) * Double(n) * Double(k) }

        /// The median over `samples` of the time per call, each sample repeating the call enough
        /// times to last at least `minimumSeconds`.
        func measure(samples: Int, minimumSeconds: Double) -> Timing {
            // Stored shapes: A is m×k, or k×m when transposed; B is k×n, or n×k when transposed.
            let (aRows, aColumns) = transposeA ? (k, m) : (m, k)
            let (bRows, bColumns) = transposeB ? (n, k) : (k, n)
            var generator = SeededGenerator(seed: 0x6E6D)
            let a = (0..<(aRows * aColumns)).map { _ in generator.nextFloat(limit: 1) }
            let b = (0..<(bRows * bColumns)).map { _ in generator.nextFloat(limit: 1) }
            var c = [Float](repeating: 0, count: m * n)
            let seconds = a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        let (pa, pb, pc) = (pa.baseAddress!, pb.baseAddress!, pc.baseAddress!)
                        let call = {
                            BLAS.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                      a: pa, lda: aColumns, b: pb, ldb: bColumns, c: pc, ldc: n)
                        }
                        // Warm up the caches and find how many calls make one sample long enough.
                        var repetitions = 1
                        while Self.time(repetitions, call) < minimumSeconds { repetitions *= 2 }
                        let times = (0..<samples).map { _ in Self.time(repetitions, call) / Double(repetitions) }
                        return times.sorted()[samples / 2]
                    }
                }
            }
            return Timing(name: name, batch: batch, m: m, n: n, k: k, transposeA: transposeA,
                          transposeB: transposeB, medianSeconds: seconds, gflops: flops / seconds / 1e9)
        }

        private static func time(_ repetitions: Int, _ call: () -> Void) -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<repetitions { call() }
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
    }

    /// What `--json` prints for one product.
    struct Timing: Codable {
        var name: String
        var batch: Int
        var m: Int, n: Int, k: Int
        var transposeA: Bool, transposeB: Bool
        var medianSeconds: Double
        var gflops: Double
    }

    struct Report: Codable {
        var coreType: String
        var threads: Int
        var configuration: String
        var results: [Timing]

        func printTable() {
            print("BLAS: \(configuration)")
            print("core type \(coreType), \(threads) thread\(threads == 1 ? "" : "s")")
            print("product".padding(toLength: 16, withPad: " ", startingAt: 0)
                  + ["batch", "m", "n", "k", "op", "µs", "GFLOP/s"].map { $0.leftPadded(to: 8) }.joined())
            for r in results {
                let op = (r.transposeA ? "T" : "N") + (r.transposeB ? "T" : "N")
                print(r.name.padding(toLength: 16, withPad: " ", startingAt: 0)
                      + [String(r.batch), String(r.m), String(r.n), String(r.k), op,
                         String(format: "%.2f", r.medianSeconds * 1e6), String(format: "%.2f", r.gflops)]
                    .map { $0.leftPadded(to: 8) }.joined())
            }
        }
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? " " + self : String(repeating: " ", count: width - count) + self
    }
}
