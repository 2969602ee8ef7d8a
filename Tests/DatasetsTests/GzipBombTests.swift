import XCTest
@testable import Datasets

/// A gzip IDX file may not inflate beyond what its own header announces: a small header in
/// front of gigabytes of zeros is refused at the header's size, not at the 2 GiB cap.
final class GzipBombTests: TemporaryDirectoryTestCase {
    /// `header` as one gzip member followed by `mebibytes` members of 1 MiB of zeros each
    /// (about 1 KiB apiece: a file of a few MB that inflates to gigabytes).
    func bomb(header: [UInt8], mebibytes: Int) -> [UInt8] {
        let zeros = Gzip.compress([UInt8](repeating: 0, count: 1 << 20), level: 9)
        var bytes = Gzip.compress(header)
        bytes.reserveCapacity(bytes.count + mebibytes * zeros.count)
        for _ in 0..<mebibytes { bytes += zeros }
        return bytes
    }

    func testRead_GzipBombBehindASmallHeader_IsRefusedAtTheAnnouncedSize() throws {
        // 10 labels announced (18 bytes with the header), 3 GiB delivered.
        let path = try file("labels.gz", bomb(header: idxBytes(sizes: [10], data: []), mebibytes: 3 << 10))
        let start = Date()
        assertThrows(.exceedsAnnouncedSize(path: path, announcedBytes: 18), mentioning: [path, "18 bytes its IDX header announces"]) {
            try IDX.read(path: path, dimensionCount: 1)
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 5, "refused at the first chunk, not after inflating gigabytes")
    }

    func testRead_GzipBombBehindLargeImageHeader_IsRefusedAtTheAnnouncedSize() throws {
        // 1,000 images of 28×28 announced; more than that delivered.
        let header = idxBytes(sizes: [1000, 28, 28], data: [])
        let path = try file("images.gz", bomb(header: header, mebibytes: 4))
        assertThrows(.exceedsAnnouncedSize(path: path, announcedBytes: 16 + 784_000), mentioning: ["784016 bytes its IDX header announces"]) {
            try IDX.read(path: path, dimensionCount: 3)
        }
    }

    func testRead_GzipExactlyAsAnnounced_StillReads() throws {
        let data = (0..<3000).map { UInt8($0 % 256) }
        let path = try file("exact.gz", Gzip.compress(idxBytes(sizes: [3, 10, 100], data: data)))
        XCTAssertEqual(try IDX.read(path: path, dimensionCount: 3), IDXArray(dimensions: [3, 10, 100], data: data))
    }
}
