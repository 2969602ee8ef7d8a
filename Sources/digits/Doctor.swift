import ArgumentParser
import Foundation
import NeuralNetwork

extension Digits {
    struct Doctor: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the BLAS kernels, ZeroMQ features and CPU features this machine gives digits.",
            discussion: """
            digits picks OpenBLAS's fastest core type for this CPU when OPENBLAS_CORETYPE is not \
            set. Workers of one distributed run must use the same core type for bit-exact results.
            """)

        func run() throws {
            let environment = ProcessInfo.processInfo.environment
            let features = BLASCoreType.cpuFeatures()
            let chosenBy: String
            if let marker = environment[BLASStartup.marker], environment[BLASCoreType.variable] == marker {
                chosenBy = "chosen by digits for this CPU (\(marker))"
            } else if let own = environment[BLASCoreType.variable] {
                chosenBy = "set by OPENBLAS_CORETYPE=\(own) in the environment"
            } else {
                chosenBy = "chosen by OpenBLAS itself"
            }
            print("BLAS library:   OpenBLAS, \(BLAS.configuration)")
            print("BLAS core type: \(BLAS.coreType) (\(chosenBy))")
            print("BLAS threads:   \(BLAS.threads) (digits computes each micro-batch on one thread)")
            for line in ZeroMQReport.lines() { print(line) }
            let interesting = ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl",
                               "avx512_bf16", "avx512_vnni", "amx_tile"]
            let present = interesting.filter(features.contains)
            print("CPU features:   \(present.isEmpty ? "(none detected)" : present.joined(separator: " "))")
            if let recommended = BLASCoreType.recommended(for: features) {
                print("Best core type: \(recommended)")
                if let own = environment[BLASCoreType.variable], !own.isEmpty, own.lowercased() != recommended.lowercased(),
                   environment[BLASStartup.marker] != own {
                    print("hint: OPENBLAS_CORETYPE=\(own) is set; unset it to let digits use \(recommended) (keep one core type across the workers of a run)")
                }
            }
        }
    }
}
