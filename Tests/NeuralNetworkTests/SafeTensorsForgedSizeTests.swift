import Foundation
import NeuralNetwork
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Sizes in a safetensors header that would overflow or make the reader allocate without
/// bound: refused with a `SafeTensorsError` naming the file and the tensor, and the header
/// length and data size are checked before the rest of the file is read.
final class SafeTensorsForgedSizeTests: TemporaryDirectoryTestCase {
    /// The 8-byte length and the header `json`, padded with spaces to a multiple of 8.
    func header(_ json: String) -> [UInt8] {
        var header = Array(json.utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        return withUnsafeBytes(of: UInt64(header.count).littleEndian, Array.init) + header
    }

    func testDecode_ShapeWhoseByteCountOverflows_IsRefusedNamingTheTensor() {
        // 2^31 · 2^30 values fit in Int; their 2^63 bytes do not.
        let bytes = header(#"{"w":{"dtype":"F32","shape":[2147483648,1073741824],"data_offsets":[0,16]}}"#) + [UInt8](repeating: 0, count: 16)
        XCTAssertThrowsError(try SafeTensors(decoding: bytes, source: "crafted.safetensors")) { error in
            XCTAssertTrue("\(error)".hasPrefix("crafted.safetensors: "), "\(error)")
            XCTAssertTrue("\(error)".contains("tensor \"w\"") && "\(error)".contains("[2147483648, 1073741824]"), "\(error)")
        }
    }

    /// A sparse file of `size` bytes (no disk space) that starts with `prefix`.
    func sparseFile(_ name: String, size: Int, prefix: [UInt8]) throws -> String {
        let path = directory + "/" + name
        try Data(prefix).write(to: URL(fileURLWithPath: path))
        guard truncate(path, off_t(size)) == 0 else { throw XCTSkip("cannot make a sparse file of \(size) bytes here") }
        return path
    }

    func testRead_TerabyteFileWithForgedHeaderLength_IsRefusedWithoutReadingIt() throws {
        // Read whole, this file would need a terabyte of memory before its header length is seen.
        let path = try sparseFile("forged.safetensors", size: 1 << 40, prefix: withUnsafeBytes(of: UInt64(1 << 39).littleEndian, Array.init))
        XCTAssertThrowsError(try SafeTensors(contentsOf: path)) { error in
            XCTAssertTrue("\(error)".contains("\(path): ") && "\(error)".contains("header length 549755813888 exceeds"), "\(error)")
        }
    }

    func testRead_TerabyteFileWithSmallHeader_IsRefusedForItsTrailingBytesWithoutReadingThem() throws {
        let path = try sparseFile("padded.safetensors", size: 1 << 40,
                                  prefix: header(#"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#))
        XCTAssertThrowsError(try SafeTensors(contentsOf: path)) { error in
            XCTAssertTrue("\(error)".contains("\(path): ") && "\(error)".contains("trailing bytes"), "\(error)")
        }
    }

    func testRead_TensorLargerThanTheDataCap_IsRefusedBeforeReadingIt() throws {
        // One tensor of 2^38 values (1 TiB) that the file does hold, as a sparse file.
        let prefix = header(#"{"w":{"dtype":"F32","shape":[524288,524288],"data_offsets":[0,1099511627776]}}"#)
        let path = try sparseFile("big.safetensors", size: prefix.count + (1 << 40), prefix: prefix)
        XCTAssertThrowsError(try SafeTensors(contentsOf: path)) { error in
            XCTAssertTrue("\(error)".contains("\(path): ") && "\(error)".contains("\(SafeTensors.maximumDataLength)-byte cap"), "\(error)")
        }
    }
}
