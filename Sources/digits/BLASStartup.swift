import Foundation
import NeuralNetwork

/// Makes OpenBLAS use the best kernels for this CPU without the user knowing about it.
///
/// OpenBLAS reads `OPENBLAS_CORETYPE` when the library is loaded, before `main` runs, so
/// setting it now is too late for this process. When the variable is unset and a better
/// core type exists, the tool sets it and re-executes itself once (`execv` of
/// /proc/self/exe with the same arguments). `DIGITS_BLAS_REEXEC` marks the second run so
/// that it can never loop. A user's own `OPENBLAS_CORETYPE` always wins.
///
/// digits computes each micro-batch on one BLAS thread (its parallelism is its own
/// workers), so the same re-execution sets `OPENBLAS_NUM_THREADS=1` when it is unset:
/// otherwise OpenBLAS starts a thread pool whose idle threads spin in `sched_yield`.
enum BLASStartup {
    static let marker = "DIGITS_BLAS_REEXEC"
    static let threadsVariable = "OPENBLAS_NUM_THREADS"

    static func selectCoreTypeOrReexecute() {
        let environment = ProcessInfo.processInfo.environment
        guard environment[marker] == nil else { return }
        let coreType = BLASCoreType.choice(environment: environment, features: BLASCoreType.cpuFeatures())
        let setThreads = environment[threadsVariable] == nil
        guard coreType != nil || setThreads else { return }
        if let coreType { setenv(BLASCoreType.variable, coreType, 1) }
        if setThreads { setenv(threadsVariable, "1", 1) }
        setenv(marker, coreType ?? "threads", 1)
        let arguments = CommandLine.arguments
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", argv)
        // execv only returns on failure: carry on with the kernels OpenBLAS chose.
        if coreType != nil { unsetenv(BLASCoreType.variable) }
    }
}
