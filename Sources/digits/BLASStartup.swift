import Foundation
import NeuralNetwork

/// Makes OpenBLAS use the best kernels for this CPU without the user knowing about it.
///
/// OpenBLAS reads `OPENBLAS_CORETYPE` when the library is loaded, before `main` runs, so
/// setting it now is too late for this process. When the variable is unset and a better
/// core type exists, the tool sets it and re-executes itself once (`execv` of
/// /proc/self/exe with the same arguments). `DIGITS_BLAS_REEXEC` marks the second run so
/// that it can never loop. A user's own `OPENBLAS_CORETYPE` always wins.
enum BLASStartup {
    static let marker = "DIGITS_BLAS_REEXEC"

    static func selectCoreTypeOrReexecute() {
        let environment = ProcessInfo.processInfo.environment
        guard environment[marker] == nil,
              let coreType = BLASCoreType.choice(environment: environment, features: BLASCoreType.cpuFeatures())
        else { return }
        setenv(BLASCoreType.variable, coreType, 1)
        setenv(marker, coreType, 1)
        let arguments = CommandLine.arguments
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", argv)
        // execv only returns on failure: carry on with the kernels OpenBLAS chose.
        unsetenv(BLASCoreType.variable)
    }
}
