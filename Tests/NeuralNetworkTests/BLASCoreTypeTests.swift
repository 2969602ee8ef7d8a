import Foundation
import NeuralNetwork
import XCTest

/// The choice of OpenBLAS kernels from the CPU's feature flags.
final class BLASCoreTypeTests: XCTestCase {
    static let avx2: Set<String> = ["sse4_2", "avx", "avx2", "fma"]
    static let avx512 = avx2.union(["avx512f", "avx512bw", "avx512dq", "avx512vl"])
    static let zen5 = avx512.union(["avx512_bf16", "avx512_vnni", "avx512ifma"])

    func testRecommended_FeatureSets_GiveBestKnownCoreType() {
        XCTAssertEqual(BLASCoreType.recommended(for: Self.zen5), "Cooperlake")
        XCTAssertEqual(BLASCoreType.recommended(for: Self.avx512), "SkylakeX")
        XCTAssertEqual(BLASCoreType.recommended(for: Self.avx2), "Haswell")
        XCTAssertNil(BLASCoreType.recommended(for: ["sse4_2", "avx"]))
        XCTAssertNil(BLASCoreType.recommended(for: []))
    }

    func testRecommended_IncompleteFeatureSets_FallBack() {
        // BF16 without the whole AVX-512 base is not Cooperlake; AVX2 without FMA is not Haswell.
        XCTAssertEqual(BLASCoreType.recommended(for: Self.avx2.union(["avx512f", "avx512_bf16"])), "Haswell")
        XCTAssertEqual(BLASCoreType.recommended(for: Self.zen5.subtracting(["avx512vl"])), "Haswell")
        XCTAssertNil(BLASCoreType.recommended(for: Self.avx2.subtracting(["fma"])))
    }

    func testChoice_UserVariableSet_ReturnsNil() {
        XCTAssertNil(BLASCoreType.choice(environment: ["OPENBLAS_CORETYPE": "Haswell"], features: Self.zen5))
        XCTAssertNil(BLASCoreType.choice(environment: ["OPENBLAS_CORETYPE": "Prescott"], features: Self.avx512))
    }

    func testChoice_VariableUnsetOrEmpty_ReturnsRecommendation() {
        XCTAssertEqual(BLASCoreType.choice(environment: [:], features: Self.zen5), "Cooperlake")
        XCTAssertEqual(BLASCoreType.choice(environment: ["OPENBLAS_CORETYPE": ""], features: Self.avx512), "SkylakeX")
        XCTAssertNil(BLASCoreType.choice(environment: ["PATH": "/usr/bin"], features: []))
    }

    func testCpuFeatures_ReadsFlagsLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cpuinfo-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "processor\t: 0\nmodel name\t: Test CPU\nflags\t\t: fpu avx2 fma avx512f\nbugs\t\t: none\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(BLASCoreType.cpuFeatures(cpuinfo: path), ["fpu", "avx2", "fma", "avx512f"])
        XCTAssertEqual(BLASCoreType.cpuFeatures(cpuinfo: "/nonexistent/cpuinfo"), [])
    }
}
