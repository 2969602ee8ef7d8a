import XCTest
@testable import Datasets

final class IDXTests: TemporaryDirectoryTestCase {
    func testRead_RawAndGzip_RoundTrip() throws {
        let array = IDXArray(dimensions: [2, 3, 4], data: (0..<24).map { UInt8($0 * 10) })
        let encoded = IDX.encode(array)
        XCTAssertEqual(encoded, idxBytes(sizes: [2, 3, 4], data: array.data))
        XCTAssertEqual(try IDX.read(path: file("raw", encoded), dimensionCount: 3), array)
        XCTAssertEqual(try IDX.read(path: file("packed.gz", Gzip.compress(encoded)), dimensionCount: 3), array)
        // gzip is recognised by content, whatever the name.
        XCTAssertEqual(try IDX.read(path: file("misnamed", Gzip.compress(encoded, level: 9))), array)
    }

    func testRead_ConcatenatedGzipMembers_AreJoined() throws {
        let encoded = idxBytes(sizes: [6], data: [0, 1, 2, 3, 4, 5])
        let joined = Gzip.compress(Array(encoded[..<7])) + Gzip.compress(Array(encoded[7...]))
        XCTAssertEqual(try IDX.read(path: file("joined.gz", joined)).data, [0, 1, 2, 3, 4, 5])
    }

    func testRead_GzipFromSystemTool_Decodes() throws {
        let encoded = idxBytes(sizes: [3, 2, 2], data: Array(0..<12))
        let path = try file("tool", encoded)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-9", path]
        try gzip.run()
        gzip.waitUntilExit()
        XCTAssertEqual(gzip.terminationStatus, 0)
        XCTAssertEqual(try IDX.read(path: path + ".gz").data, Array(0..<12))
    }

    func testParse_WrongMagic_Throws() throws {
        let path = try file("magic", [0x01, 0x00, 0x08, 0x01, 0, 0, 0, 1, 7])
        assertThrows(.notIDX(path: path, firstBytes: [0x01, 0x00, 0x08, 0x01]), mentioning: [path, "01 00 08 01"]) {
            try IDX.read(path: path)
        }
    }

    func testParse_FloatTypeCode_Throws() throws {
        let path = try file("float", idxBytes(type: 0x0D, sizes: [1], data: [0, 0, 0, 0]))
        assertThrows(.unsupportedType(path: path, code: 0x0D), mentioning: [path, "0d", "Float32", "only 08"]) {
            try IDX.read(path: path)
        }
    }

    func testParse_TruncatedData_Throws() throws {
        let path = try file("short", idxBytes(sizes: [2, 2, 2], data: [1, 2, 3, 4, 5]))
        assertThrows(.truncated(path: path, expectedBytes: 8, foundBytes: 5), mentioning: [path, "truncated"]) {
            try IDX.read(path: path, dimensionCount: 3)
        }
    }

    func testParse_TruncatedHeader_Throws() throws {
        let path = try file("header", [0, 0, 8, 3, 0, 0])
        assertThrows(.truncated(path: path, expectedBytes: 16, foundBytes: 6)) { try IDX.read(path: path) }
        let empty = try file("empty", [])
        assertThrows(.truncated(path: empty, expectedBytes: 4, foundBytes: 0)) { try IDX.read(path: empty) }
    }

    func testParse_TrailingBytes_Throws() throws {
        let path = try file("long", idxBytes(sizes: [3], data: [1, 2, 3, 4]))
        assertThrows(.trailingBytes(path: path, expectedBytes: 3, foundBytes: 4), mentioning: [path, "1 unexpected bytes"]) {
            try IDX.read(path: path)
        }
    }

    func testParse_AbsurdDimensions_ThrowsBeforeAllocating() throws {
        let path = try file("huge", idxBytes(sizes: [100_000, 100_000, 100_000], data: [1, 2, 3]))
        assertThrows(.absurdDimensions(path: path, dimensions: [100_000, 100_000, 100_000], limit: 1 << 31),
                     mentioning: [path, "100000 × 100000 × 100000"]) { try IDX.read(path: path) }
        let maximal = try file("max", idxBytes(sizes: [UInt32.max, UInt32.max, UInt32.max], data: []))
        assertThrows { try IDX.read(path: maximal) } _: { error in
            guard case .absurdDimensions = error else { return XCTFail("\(error)") }
        }
        let zero = try file("zero", idxBytes(sizes: [5, 0, 28], data: []))
        assertThrows(.absurdDimensions(path: zero, dimensions: [5, 0, 28], limit: 1 << 31)) { try IDX.read(path: zero) }
    }

    func testParse_WrongDimensionCount_Throws() throws {
        let path = try file("labels", idxBytes(sizes: [3], data: [1, 2, 3]))
        assertThrows(.wrongDimensionCount(path: path, found: 1, expected: 3), mentioning: ["swapped"]) {
            try IDX.read(path: path, dimensionCount: 3)
        }
    }

    func testRead_CorruptGzip_Throws() throws {
        var packed = Gzip.compress(idxBytes(sizes: [100], data: [UInt8](repeating: 7, count: 100)))
        packed[12] ^= 0xFF
        let path = try file("corrupt.gz", packed)
        assertThrows { try IDX.read(path: path) } _: { error in
            guard case .corruptGzip(path, _) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(error.description.contains(path))
        }
    }

    func testRead_TruncatedGzip_Throws() throws {
        let packed = Gzip.compress(idxBytes(sizes: [1000], data: (0..<1000).map { UInt8($0 % 251) }))
        let path = try file("cut.gz", Array(packed.prefix(packed.count / 2)))
        assertThrows { try IDX.read(path: path) } _: { error in
            guard case .corruptGzip(path, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("truncated"), reason)
        }
    }

    func testRead_GzipBomb_StopsAtLimit() throws {
        // 64 MiB of zeros compress to about 64 KiB; a 1 MiB limit must stop the inflation early.
        let bomb = Gzip.compress([UInt8](repeating: 0, count: 64 << 20), level: 9)
        XCTAssertLessThan(bomb.count, 100_000)
        let path = try file("bomb.gz", bomb)
        assertThrows(.tooLarge(path: path, limit: 1 << 20)) { try DataFile.contents(of: path, limit: 1 << 20) }
    }

    func testRead_GarbageAfterGzip_Throws() throws {
        let path = try file("tail.gz", Gzip.compress(idxBytes(sizes: [1], data: [1])) + [0x00, 0x00])
        assertThrows { try IDX.read(path: path) } _: { error in
            guard case .corruptGzip(path, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("after the end"), reason)
        }
    }

    func testRead_MissingFile_Throws() {
        let path = directory + "/nothing"
        assertThrows(.unreadable(path: path, reason: "No such file or directory"), mentioning: [path]) {
            try IDX.read(path: path)
        }
    }
}
