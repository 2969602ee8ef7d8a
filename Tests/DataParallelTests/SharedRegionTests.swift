import Foundation
import XCTest
@testable import DataParallel

/// The shared region's contract: what one side writes the other reads; a worker maps only a
/// region that proves to be the one it was told of; names do not outlive their use.
final class SharedRegionTests: XCTestCase {
    func testCreateAndAttach_SeeEachOthersWrites() throws {
        let coordinator = try SharedRegion.create(parameterCount: 5, slots: 2, name: "w/0")
        XCTAssertTrue(coordinator.path.hasPrefix("/dev/shm/digits-\(getpid())-w0-"), coordinator.path)
        let worker = try SharedRegion.attach(path: coordinator.path, nonce: coordinator.nonce, parameterCount: 5)
        XCTAssertEqual(worker.slots, 2)
        coordinator.parameters.update(repeating: 0.5)
        XCTAssertEqual(Array(worker.parameters), [0.5, 0.5, 0.5, 0.5, 0.5])
        worker.slot(1).update(repeating: -2)
        XCTAssertEqual(Array(coordinator.slot(1)), [-2, -2, -2, -2, -2])
        XCTAssertEqual(Array(coordinator.slot(0)), [0, 0, 0, 0, 0])
        XCTAssertEqual(Array(coordinator.parameters), [0.5, 0.5, 0.5, 0.5, 0.5], "slot 1 must not overlap the parameters")
        // Unlinking removes the name; both mappings stay usable.
        coordinator.unlink()
        XCTAssertFalse(FileManager.default.fileExists(atPath: coordinator.path))
        worker.slot(0).update(repeating: 3)
        XCTAssertEqual(coordinator.slot(0)[4], 3)
    }

    /// Worker names may be up to 255 bytes of anything: the file name keeps a short ASCII part.
    func testCreate_LongOrForeignWorkerName_StillGivesAShortPath() throws {
        let region = try SharedRegion.create(parameterCount: 2, slots: 1, name: String(repeating: "é/x.", count: 100))
        let file = (region.path as NSString).lastPathComponent
        XCTAssertTrue(file.hasPrefix("digits-\(getpid())-\(String(repeating: "x", count: 32))-"), file)
        XCTAssertLessThan(file.utf8.count, 80)
    }

    /// Other network or mount namespaces count as other machines (another /dev/shm, or a
    /// simulated host): the identity names both.
    func testHostIdentity_NamesBootHostAndNamespaces() {
        let identity = SharedRegion.hostIdentity
        XCTAssertTrue(identity.contains("/net:["), identity)
        XCTAssertTrue(identity.contains("/mnt:["), identity)
        XCTAssertEqual(identity.split(separator: "/").count, 4, identity)
    }

    func testRegion_NameIsRemovedWhenTheCreatorGoes() throws {
        var region: SharedRegion? = try SharedRegion.create(parameterCount: 3, slots: 1, name: "gone")
        let path = region!.path
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))
        region = nil
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testAttach_WrongNonceOrShape_IsRefused() throws {
        let region = try SharedRegion.create(parameterCount: 4, slots: 1, name: "x")
        XCTAssertThrowsError(try SharedRegion.attach(path: region.path, nonce: region.nonce &+ 1, parameterCount: 4)) {
            XCTAssertTrue("\($0)".contains("not the region of this run"), "\($0)")
        }
        XCTAssertThrowsError(try SharedRegion.attach(path: region.path, nonce: region.nonce, parameterCount: 5)) {
            XCTAssertTrue("\($0)".contains("holds 4 parameters and 1 slots; the model has 5"), "\($0)")
        }
        XCTAssertThrowsError(try SharedRegion.attach(path: region.path + "-missing", nonce: region.nonce, parameterCount: 4)) {
            XCTAssertTrue("\($0)".contains("cannot open"), "\($0)")
        }
    }

    /// A hostile coordinator could name any file: only /dev/shm/digits-* files are opened,
    /// and only with our header are they mapped (so no other file is ever written).
    func testAttach_PathsOutsideTheRegionDirectory_AreRefused() throws {
        for path in ["/etc/passwd", "/dev/shm/../../etc/passwd", "/dev/shm/digits-../x", "/tmp/digits-1", "/dev/shm/other"] {
            XCTAssertThrowsError(try SharedRegion.attach(path: path, nonce: 1, parameterCount: 4), path) {
                XCTAssertTrue("\($0)".contains("is not a digits region"), "\(path): \($0)")
            }
        }
        let path = "/dev/shm/digits-\(getpid())-plain"
        FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x41, count: 8192))
        defer { unlink(path) }
        XCTAssertThrowsError(try SharedRegion.attach(path: path, nonce: 1, parameterCount: 4)) {
            XCTAssertTrue("\($0)".contains("not the region of this run"), "\($0)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data(repeating: 0x41, count: 8192), "the file was changed")
    }

    /// A region cut short after its header (a mapping of it would SIGBUS on access) is refused.
    func testAttach_TruncatedRegion_IsRefused() throws {
        let region = try SharedRegion.create(parameterCount: 1000, slots: 2, name: "short")
        XCTAssertEqual(truncate(region.path, 8192), 0)
        XCTAssertThrowsError(try SharedRegion.attach(path: region.path, nonce: region.nonce, parameterCount: 1000)) {
            XCTAssertTrue("\($0)".contains("has 8192 bytes, its header implies \(SharedRegion.headerSize + 3 * 4000)"), "\($0)")
        }
        XCTAssertEqual(truncate(region.path, 100), 0)
        XCTAssertThrowsError(try SharedRegion.attach(path: region.path, nonce: region.nonce, parameterCount: 1000)) {
            XCTAssertTrue("\($0)".contains("not a regular file of at least"), "\($0)")
        }
    }
}
