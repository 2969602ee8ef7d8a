import NeuralNetwork
import XCTest

/// Damaged or unsupported safetensors files throw `SafeTensorsError`, naming the file and why.
final class SafeTensorsCorruptionTests: XCTestCase {
    /// A file from a header's JSON text (padded to a multiple of 8) and `dataBytes` data bytes.
    func file(header json: String, dataBytes: Int) -> [UInt8] {
        var header = Array(json.utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        return withUnsafeBytes(of: UInt64(header.count).littleEndian, Array.init) + header
            + [UInt8](repeating: 0, count: dataBytes)
    }

    /// Asserts that decoding `bytes` throws a `SafeTensorsError` for `source` whose reason contains `fragment`.
    func assertRejected(_ bytes: [UInt8], because fragment: String,
                        file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensors(decoding: bytes, source: "model.safetensors"), file: file, line: line) { error in
            guard let error = error as? SafeTensorsError else {
                return XCTFail("threw \(type(of: error)), not SafeTensorsError: \(error)", file: file, line: line)
            }
            XCTAssertEqual(error.source, "model.safetensors", file: file, line: line)
            XCTAssertTrue(error.reason.contains(fragment), "reason: \(error.reason)", file: file, line: line)
            XCTAssertTrue(error.description.hasPrefix("model.safetensors: "), file: file, line: line)
        }
    }

    let valid = #"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}"#

    func testDecode_ValidHandMadeFile_Succeeds() throws {
        // The fixture the corruptions start from is itself valid.
        let decoded = try SafeTensors(decoding: file(header: valid, dataBytes: 16), source: "model.safetensors")
        XCTAssertEqual(decoded.tensors, [.init(name: "w", shape: [2, 2], values: [0, 0, 0, 0])])
    }

    func testDecode_FewerThanEightBytes_Throws() {
        assertRejected([], because: "fewer than the 8-byte header length")
        assertRejected([8, 0, 0], because: "fewer than the 8-byte header length")
    }

    func testDecode_TruncatedHeader_Throws() {
        assertRejected(Array(file(header: valid, dataBytes: 16).prefix(30)), because: "truncated")
    }

    func testDecode_TruncatedData_Throws() {
        assertRejected(Array(file(header: valid, dataBytes: 16).dropLast(4)), because: "outside the 12 data bytes")
    }

    func testDecode_HeaderLengthTooLarge_Throws() {
        assertRejected([0, 0, 0, 0, 0, 0, 0, 1] + [UInt8](repeating: 0x20, count: 64), because: "exceeds")
        assertRejected([UInt8](repeating: 0xFF, count: 8), because: "exceeds")
    }

    func testDecode_HeaderNotJSON_Throws() {
        assertRejected(file(header: "not json at all", dataBytes: 0), because: "not a JSON object")
        assertRejected(file(header: "[1, 2, 3]", dataBytes: 0), because: "not a JSON object")
    }

    func testDecode_OffsetsOutOfRange_Throws() {
        assertRejected(file(header: #"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[8,24]}}"#, dataBytes: 16),
                       because: "outside")
        assertRejected(file(header: #"{"w":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}"#, dataBytes: 4),
                       because: "outside")
        assertRejected(file(header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}"#, dataBytes: 4),
                       because: "outside")
    }

    func testDecode_ShapeDoesNotMatchSize_Throws() {
        assertRejected(file(header: #"{"w":{"dtype":"F32","shape":[3,2],"data_offsets":[0,16]}}"#, dataBytes: 16),
                       because: "has shape [3, 2] but 16 bytes")
        assertRejected(file(header: #"{"w":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,16]}}"#,
                            dataBytes: 16), because: "shape")
    }

    func testDecode_TrailingBytes_Throws() {
        assertRejected(file(header: valid, dataBytes: 20), because: "4 trailing bytes")
    }

    func testDecode_GapBetweenTensors_Throws() {
        let header = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
        assertRejected(file(header: header, dataBytes: 12), because: "gap or overlap")
    }

    func testDecode_UnsupportedDtype_Throws() {
        assertRejected(file(header: #"{"w":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]}}"#, dataBytes: 8),
                       because: "only F32 is supported")
    }

    func testDecode_MissingFields_Throws() {
        assertRejected(file(header: #"{"w":{"dtype":"F32","shape":[2,2]}}"#, dataBytes: 16), because: "lacks")
        assertRejected(file(header: #"{"__metadata__":{"n":1}}"#, dataBytes: 0), because: "__metadata__")
    }

    func testRead_MissingFile_Throws() {
        XCTAssertThrowsError(try SafeTensors(contentsOf: "/nonexistent/model.safetensors")) { error in
            XCTAssertEqual((error as? SafeTensorsError)?.source, "/nonexistent/model.safetensors")
        }
    }
}
