import CBLAS

// The one file that calls cblas_* and openblas_*. Everything else multiplies through `BLAS`.

/// Matrix products through OpenBLAS's `cblas_sgemm`.
///
/// All matrices are row-major. cblas checks nothing, so the shapes are checked here as
/// preconditions: a wrong shape is a bug in the caller.
public enum BLAS {
    /// `C ← α·op(A)·op(B) + β·C`, where `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is `m × n`.
    ///
    /// `lda`, `ldb`, `ldc` are the row strides of the stored (untransposed) matrices.
    /// The corresponding C function is `cblas_sgemm`.
    @inlinable
    public static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                            alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int,
                            beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        precondition(m >= 0 && n >= 0 && k >= 0, "negative gemm dimension")
        precondition(lda >= max(1, transposeA ? m : k), "lda \(lda) too small")
        precondition(ldb >= max(1, transposeB ? k : n), "ldb \(ldb) too small")
        precondition(ldc >= max(1, n), "ldc \(ldc) too small")
        if m == 0 || n == 0 { return }
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha,
                    a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// The number of threads OpenBLAS uses for one call.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }

    /// The core type (kernel family) OpenBLAS chose at load time, such as "Haswell" or "SkylakeX".
    public static var coreType: String { String(cString: openblas_get_corename()) }

    /// OpenBLAS's build configuration string, which starts with its version.
    public static var configuration: String { String(cString: openblas_get_config()) }
}

extension Matrix {
    /// `op(A)·op(B)` through BLAS; `Matrix.referenceProduct` computes the same naively.
    public static func product(_ a: Matrix, _ b: Matrix,
                               transposeA: Bool = false, transposeB: Bool = false) -> Matrix {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let kb = transposeB ? b.columns : b.rows
        let n = transposeB ? b.rows : b.columns
        precondition(k == kb, "inner dimensions differ: \(k) and \(kb)")
        var c = Matrix(rows: m, columns: n)
        if k == 0 { return c }
        a.values.withUnsafeBufferPointer { pa in
            b.values.withUnsafeBufferPointer { pb in
                c.values.withUnsafeMutableBufferPointer { pc in
                    BLAS.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                              a: pa.baseAddress!, lda: max(1, a.columns),
                              b: pb.baseAddress!, ldb: max(1, b.columns),
                              c: pc.baseAddress!, ldc: max(1, n))
                }
            }
        }
        return c
    }

    public static func * (a: Matrix, b: Matrix) -> Matrix { product(a, b) }
}
