import Foundation
import NeuralNetwork
import XCTest

/// The BLAS product against the naive reference, in every shape and transpose combination.
///
/// `Scripts/bench-blas` also runs this class under several OPENBLAS_CORETYPE values: an
/// OpenBLAS kernel that is wrong on this CPU shows up here.
final class MatrixProductTests: XCTestCase {
    static let transposes = [(false, false), (false, true), (true, false), (true, true)]

    func testProduct_RandomShapes_AgreesWithReference() {
        for seed in testSeeds {
            var generator = SeededGenerator(seed: seed)
            for _ in 0..<12 {
                let m = 1 + generator.next(below: 40), n = 1 + generator.next(below: 40), k = 1 + generator.next(below: 40)
                for (ta, tb) in Self.transposes {
                    assertProductMatchesReference(m: m, n: n, k: k, transposeA: ta, transposeB: tb,
                                                  generator: &generator, "seed \(seed)")
                }
            }
        }
    }

    func testProduct_VectorShapes_AgreesWithReference() {
        // 1×n row vectors, n×1 column vectors, outer products (k = 1) and dot products (m = n = 1).
        let shapes = [(1, 17, 9), (17, 1, 9), (9, 17, 1), (1, 1, 33), (1, 1, 1), (1, 40, 1), (40, 1, 1)]
        for seed in testSeeds {
            var generator = SeededGenerator(seed: seed)
            for (m, n, k) in shapes {
                for (ta, tb) in Self.transposes {
                    assertProductMatchesReference(m: m, n: n, k: k, transposeA: ta, transposeB: tb,
                                                  generator: &generator, "seed \(seed)")
                }
            }
        }
    }

    func testProduct_DigitsNetworkShapes_AgreesWithReference() {
        // The 784→128→10 network at a micro-batch of 32: forward X·W1ᵀ and H·W2ᵀ, backward δᵀ·X and δ·W2.
        var generator = SeededGenerator(seed: 2024)
        assertProductMatchesReference(m: 32, n: 128, k: 784, transposeA: false, transposeB: true, generator: &generator)
        assertProductMatchesReference(m: 32, n: 10, k: 128, transposeA: false, transposeB: true, generator: &generator)
        assertProductMatchesReference(m: 128, n: 784, k: 32, transposeA: true, transposeB: false, generator: &generator)
        assertProductMatchesReference(m: 32, n: 128, k: 10, transposeA: false, transposeB: false, generator: &generator)
    }

    func testCoreType_RequestedByEnvironment_IsTheOneInUse() throws {
        // Checking a kernel family means nothing unless OpenBLAS loaded the one asked for.
        guard let requested = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], !requested.isEmpty else {
            throw XCTSkip("OPENBLAS_CORETYPE is not set; OpenBLAS chose \(BLAS.coreType)")
        }
        XCTAssertEqual(BLAS.coreType.lowercased(), requested.lowercased())
    }

    func testProduct_EmptyDimensions_GiveZerosOrEmptyMatrices() {
        XCTAssertEqual(Matrix.product(Matrix(rows: 3, columns: 0), Matrix(rows: 0, columns: 2)), Matrix(rows: 3, columns: 2))
        XCTAssertEqual(Matrix.product(Matrix(rows: 0, columns: 3), Matrix(rows: 3, columns: 2)), Matrix(rows: 0, columns: 2))
        XCTAssertEqual(Matrix.product(Matrix(rows: 2, columns: 3), Matrix(rows: 2, columns: 0), transposeA: true),
                       Matrix(rows: 3, columns: 0))
    }

    func testProduct_SmallKnownProduct() {
        let a = Matrix([[1, 2, 3], [4, 5, 6]]), b = Matrix([[7, 8], [9, 10], [11, 12]])
        XCTAssertEqual(a * b, Matrix([[58, 64], [139, 154]]))
        XCTAssertEqual(Matrix.product(a, a, transposeB: true), Matrix([[14, 32], [32, 77]]))
        XCTAssertEqual(a.transposed, Matrix([[1, 4], [2, 5], [3, 6]]))
    }

    /// Draws op(A) (m × k) and op(B) (k × n) stored as asked, and compares the two products
    /// element by element within 1e-5·Σₚ|aᵢₚ bₚⱼ| (Float rounding grows with that sum).
    func assertProductMatchesReference(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool,
                                       generator: inout SeededGenerator, _ message: String = "",
                                       file: StaticString = #filePath, line: UInt = #line) {
        let a = transposeA ? generator.matrix(rows: k, columns: m) : generator.matrix(rows: m, columns: k)
        let b = transposeB ? generator.matrix(rows: n, columns: k) : generator.matrix(rows: k, columns: n)
        let fast = Matrix.product(a, b, transposeA: transposeA, transposeB: transposeB)
        let reference = Matrix.referenceProduct(a, b, transposeA: transposeA, transposeB: transposeB)
        let magnitudes = Matrix.referenceProduct(Matrix(rows: a.rows, columns: a.columns, values: a.values.map(abs)),
                                                 Matrix(rows: b.rows, columns: b.columns, values: b.values.map(abs)),
                                                 transposeA: transposeA, transposeB: transposeB)
        XCTAssertEqual([fast.rows, fast.columns], [m, n], file: file, line: line)
        let shape = "\(m)×\(k)·\(k)×\(n), transposeA \(transposeA), transposeB \(transposeB), core \(BLAS.coreType). \(message)"
        for i in 0..<min(fast.values.count, reference.values.count) {
            let tolerance = 1e-5 * magnitudes.values[i] + 1e-6
            if !(abs(fast.values[i] - reference.values[i]) <= tolerance) {
                return XCTFail("\(shape): element \(i) is \(fast.values[i]) by BLAS, \(reference.values[i]) by reference",
                               file: file, line: line)
            }
        }
    }
}
