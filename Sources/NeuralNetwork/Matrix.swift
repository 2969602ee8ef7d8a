/// A dense row-major matrix of `Float` (Float32) values.
///
/// Element (i, j) is `values[i * columns + j]`. The storage is one contiguous array, so a
/// matrix can be handed to BLAS or sent on the wire without copying.
public struct Matrix: Equatable, Sendable {
    public let rows: Int
    public let columns: Int
    public var values: [Float]

    /// A `rows × columns` matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Float = 0) {
        precondition(rows >= 0 && columns >= 0, "a matrix cannot have a negative size")
        self.rows = rows
        self.columns = columns
        self.values = [Float](repeating: value, count: rows * columns)
    }

    /// A `rows × columns` matrix over `values` in row-major order.
    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(values.count == rows * columns,
                     "a \(rows)×\(columns) matrix needs \(rows * columns) values, got \(values.count)")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// A matrix whose rows are the given arrays, which must all have the same length.
    public init(_ rowArrays: [[Float]]) {
        let columns = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == columns }, "rows of different lengths")
        self.init(rows: rowArrays.count, columns: columns, values: rowArrays.flatMap { $0 })
    }

    public subscript(row: Int, column: Int) -> Float {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// Row `i` as an array.
    public func row(_ i: Int) -> [Float] {
        Array(values[i * columns ..< (i + 1) * columns])
    }

    /// The transpose, `columns × rows`.
    public var transposed: Matrix {
        var result = Matrix(rows: columns, columns: rows)
        for i in 0..<rows {
            for j in 0..<columns { result.values[j * rows + i] = values[i * columns + j] }
        }
        return result
    }

    /// The naive triple-loop product `op(A)·op(B)`, where `op` transposes when asked.
    ///
    /// Kept beside the BLAS product (`Matrix.product`) as the reference that tests compare
    /// it against. Accumulates in `Double`, so it is the more accurate of the two.
    public static func referenceProduct(_ a: Matrix, _ b: Matrix,
                                        transposeA: Bool = false, transposeB: Bool = false) -> Matrix {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let kb = transposeB ? b.columns : b.rows
        let n = transposeB ? b.rows : b.columns
        precondition(k == kb, "inner dimensions differ: \(k) and \(kb)")
        var c = Matrix(rows: m, columns: n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let x = transposeA ? a[p, i] : a[i, p]
                    let y = transposeB ? b[j, p] : b[p, j]
                    sum += Double(x) * Double(y)
                }
                c[i, j] = Float(sum)
            }
        }
        return c
    }
}
