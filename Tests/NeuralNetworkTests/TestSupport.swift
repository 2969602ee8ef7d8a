import Foundation
import NeuralNetwork
import XCTest

/// Seeds that randomised tests loop over.
let testSeeds: [UInt64] = [0, 1, 2, 42, 1234]

extension SeededGenerator {
    /// A `rows × columns` matrix of uniform values in [-limit, limit).
    mutating func matrix(rows: Int, columns: Int, limit: Float = 1) -> Matrix {
        Matrix(rows: rows, columns: columns,
               values: (0..<(rows * columns)).map { _ in nextFloat(limit: limit) })
    }

    /// `rows` one-hot rows of `columns` classes.
    mutating func oneHot(rows: Int, columns: Int) -> Matrix {
        var m = Matrix(rows: rows, columns: columns)
        for r in 0..<rows { m[r, next(below: columns)] = 1 }
        return m
    }
}

/// Asserts that `actual` and `expected` agree element by element within
/// `absolute + relative·|expected|`.
func assertClose(_ actual: [Float], _ expected: [Float], absolute: Float = 0, relative: Float = 0,
                 _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "counts differ. \(message())", file: file, line: line)
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let tolerance = absolute + relative * abs(e)
        if !(abs(a - e) <= tolerance) {
            XCTFail("element \(i): \(a) vs expected \(e) (tolerance \(tolerance)). \(message())", file: file, line: line)
            return
        }
    }
}

/// Asserts that every value is finite (neither NaN nor ±infinity).
func assertFinite(_ values: [Float], _ message: @autoclosure () -> String = "",
                  file: StaticString = #filePath, line: UInt = #line) {
    if let i = values.firstIndex(where: { !$0.isFinite }) {
        XCTFail("element \(i) is \(values[i]). \(message())", file: file, line: line)
    }
}


/// A test case with a fresh temporary directory per test, removed afterwards.
class TemporaryDirectoryTestCase: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("nn-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }
}
