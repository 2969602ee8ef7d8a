import XCTest
@testable import Datasets

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A new empty directory under /tmp, removed by `removeDirectory`.
func makeTemporaryDirectory() -> String {
    var template = Array("/tmp/datasets-tests-XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { buffer in
        guard let made = mkdtemp(buffer.baseAddress!) else { preconditionFailure("mkdtemp failed") }
        return String(cString: made)
    }
}

func removeDirectory(_ path: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/rm")
    process.arguments = ["-rf", path]
    try? process.run()
    process.waitUntilExit()
}

/// A test case with a fresh temporary directory per test.
class TemporaryDirectoryTestCase: XCTestCase {
    var directory = ""

    override func setUp() { directory = makeTemporaryDirectory() }
    override func tearDown() { removeDirectory(directory) }

    /// Writes `bytes` to a file in the test directory and returns its path.
    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = directory + "/" + name
        try DataFile.write(bytes, to: path)
        return path
    }
}

/// Asserts that `body` throws exactly `expected`, and that the message names `mentions`.
func assertThrows(
    _ expected: DatasetError, mentioning mentions: [String] = [], file: StaticString = #filePath, line: UInt = #line,
    _ body: () throws -> some Any
) {
    assertThrows(file: file, line: line, body) { error in
        XCTAssertEqual(error, expected, file: file, line: line)
        for text in mentions {
            XCTAssertTrue(error.description.contains(text), "“\(error)” does not mention “\(text)”", file: file, line: line)
        }
    }
}

/// Asserts that `body` throws a `DatasetError`, and hands it to `check`.
func assertThrows(
    file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> some Any, _ check: (DatasetError) -> Void
) {
    do {
        _ = try body()
        XCTFail("expected an error, got none", file: file, line: line)
    } catch let error as DatasetError {
        check(error)
    } catch {
        XCTFail("expected a DatasetError, got \(error)", file: file, line: line)
    }
}

/// The embedded MNIST, loaded once for all tests.
let sharedMNIST: Result<DataSet, DatasetError> = Result { try DataSet.embeddedMNIST() }.mapError { $0 as! DatasetError }

func loadedMNIST(file: StaticString = #filePath, line: UInt = #line) throws -> DataSet {
    try value(of: sharedMNIST, file: file, line: line)
}

/// What a shared, made-once `result` holds, or its error as a test failure (and thrown).
func value<T>(of result: Result<T, DatasetError>, file: StaticString, line: UInt) throws -> T {
    switch result {
    case .success(let value): return value
    case .failure(let error):
        XCTFail("\(error)", file: file, line: line)
        throw error
    }
}

/// A small IDX file's bytes: a header with `type`, `sizes`, then `data`.
func idxBytes(type: UInt8 = 0x08, sizes: [UInt32], data: [UInt8]) -> [UInt8] {
    var bytes: [UInt8] = [0, 0, type, UInt8(sizes.count)]
    for size in sizes { bytes += [UInt8(size >> 24), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)] }
    return bytes + data
}
