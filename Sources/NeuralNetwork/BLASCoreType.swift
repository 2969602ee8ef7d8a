import Foundation

/// Chooses the OpenBLAS core type (kernel family) for this CPU.
///
/// Debian's OpenBLAS 0.3.21 does not recognise recent CPUs and then falls back to its
/// generic kernels, 4–8× slower. OpenBLAS reads `OPENBLAS_CORETYPE` only when it is loaded,
/// so the command-line tool decides at start-up and re-executes itself once with the
/// variable set (see `digits`' `main`). A user's own `OPENBLAS_CORETYPE` always wins.
public enum BLASCoreType {
    /// The environment variable OpenBLAS reads at load time.
    public static let variable = "OPENBLAS_CORETYPE"

    /// The CPU's feature flags, as the kernel lists them in /proc/cpuinfo (empty elsewhere).
    public static func cpuFeatures(cpuinfo path: String = "/proc/cpuinfo") -> Set<String> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        for line in text.split(separator: "\n") where line.hasPrefix("flags") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        }
        return []
    }

    /// The best core type OpenBLAS 0.3.21 has for these features, or nil to leave the choice
    /// to OpenBLAS: Cooperlake for AVX-512 with BF16, SkylakeX for AVX-512 (F, BW, DQ, VL),
    /// Haswell for AVX2 with FMA.
    public static func recommended(for features: Set<String>) -> String? {
        let avx512 = ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(features.contains)
        if avx512 && features.contains("avx512_bf16") { return "Cooperlake" }
        if avx512 { return "SkylakeX" }
        if features.contains("avx2") && features.contains("fma") { return "Haswell" }
        return nil
    }

    /// The value to set before OpenBLAS loads, or nil when nothing should change: the user set
    /// the variable already, or there is nothing better to choose.
    public static func choice(environment: [String: String], features: Set<String>) -> String? {
        if let own = environment[variable], !own.isEmpty { return nil }
        return recommended(for: features)
    }
}
