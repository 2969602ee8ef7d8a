import NeuralNetwork
import XCTest
@testable import DataParallel

final class WireCodecTests: XCTestCase {
    static let examples: [WireMessage] = [
        WireMessage(run: 0, .hello(.init(name: "worker-a", coreType: "Cooperlake", threads: 2, expectedShape: "784,128,10"))),
        WireMessage(run: 42, .welcome(.init(workerIndex: 1, settings: "{\"batch\":64}", architecture: "{}", shardCount: 4,
                                            imageHeight: 28, imageWidth: 28, classes: 10, heartbeatInterval: 0.5, heartbeatTimeout: 5))),
        WireMessage(run: 42, .shards(.init(drop: [5, 6], shards: [.init(index: 3, labels: [1, 2], pixels: [UInt8](repeating: 7, count: 8)),
                                                                      .init(index: 0, labels: [], pixels: [])]))),
        WireMessage(run: 42, step: 17, .step(.init(position: StepPosition(epoch: 1, step: 3),
                                                   nodes: [TreeNode(first: 0, size: 2), TreeNode(first: 2, size: 1)],
                                                   parameters: [1, -2.5, .leastNonzeroMagnitude, 3e38]))),
        WireMessage(run: 42, step: 17, .gradient(.init(nodes: [
            .init(node: TreeNode(first: 2, size: 1), statistics: BatchStatistics(lossSum: 12.5, correct: 30, count: 32), values: [0.5, -0.25]),
            .init(node: TreeNode(first: 4, size: 4), statistics: BatchStatistics(), values: []),
        ], computeSeconds: 0.003))),
        WireMessage(run: 42, .heartbeat),
        WireMessage(run: 42, .goodbye("interrupted")),
        WireMessage(run: 0, .hello(.init(name: "local", coreType: "Haswell", host: "boot-id/host"))),
        WireMessage(run: 42, .welcome(.init(workerIndex: 2, settings: "{}", architecture: "{}", shardCount: 2, imageHeight: 8, imageWidth: 8,
                                            classes: 4, heartbeatInterval: 0.5, heartbeatTimeout: 5,
                                            region: "/dev/shm/digits-1-w-abc", regionNonce: 0xFEED_FACE_CAFE_BEEF))),
        WireMessage(run: 42, step: 18, .step(.init(position: StepPosition(epoch: 0, step: 1), nodes: [TreeNode(first: 0, size: 1)],
                                                   parameters: [], parametersInRegion: true))),
        WireMessage(run: 42, step: 18, .gradient(.init(nodes: [
            .init(node: TreeNode(first: 0, size: 1), statistics: BatchStatistics(lossSum: 1, correct: 1, count: 2), values: []),
        ], computeSeconds: 0.001, region: .sums))),
        WireMessage(run: 42, .shutdown("training finished")),
        WireMessage(run: 42, .error("gradient for shard 9, which you were not given")),
    ]

    func testRoundTrip_EveryMessageType() throws {
        XCTAssertEqual(Set(Self.examples.map(\.body.kind)), Set(WireMessage.Kind.allCases))
        for message in Self.examples {
            let decoded = try WireMessage(decoding: message.encoded())
            XCTAssertEqual(decoded, message)
        }
    }

    func testDecode_Header_CheckedFirst() {
        var bytes = Self.examples[5].encoded()
        bytes[0] ^= 0xFF
        XCTAssertThrowsError(try WireMessage(decoding: bytes)) { XCTAssertTrue("\($0)".contains("magic")) }
        bytes = Self.examples[5].encoded()
        bytes[4] = 9 // version 9
        XCTAssertThrowsError(try WireMessage(decoding: bytes)) { XCTAssertTrue("\($0)".contains("protocol version 9"), "\($0)") }
        bytes = Self.examples[5].encoded()
        bytes[6] = 200
        XCTAssertThrowsError(try WireMessage(decoding: bytes)) { XCTAssertTrue("\($0)".contains("unknown message type 200")) }
        XCTAssertThrowsError(try WireMessage(decoding: Array(bytes.prefix(10)))) { XCTAssertTrue("\($0)".contains("at least 24 bytes")) }
        XCTAssertThrowsError(try WireMessage(decoding: Self.examples[5].encoded() + [0])) { XCTAssertTrue("\($0)".contains("trailing")) }
    }

    func testDecode_ForgedCount_IsRefusedBeforeAllocating() {
        var bytes = Self.examples[3].encoded()
        // The parameter count is the u32 just before the 4 floats at the end.
        let countOffset = bytes.count - 16 - 4
        bytes.replaceSubrange(countOffset..<(countOffset + 4), with: [0xFF, 0xFF, 0xFF, 0x7F])
        XCTAssertThrowsError(try WireMessage(decoding: bytes)) { XCTAssertTrue("\($0)".contains("do not fit"), "\($0)") }
    }

    /// Bulk data is either in the message or in the shared region, never both; the region
    /// flags take no other values.
    func testDecode_RegionFlags_AreChecked() {
        let both = WireMessage(run: 1, .step(.init(position: StepPosition(epoch: 0, step: 0), nodes: [TreeNode(first: 0, size: 1)],
                                                   parameters: [1, 2], parametersInRegion: true)))
        XCTAssertThrowsError(try WireMessage(decoding: both.encoded())) { XCTAssertTrue("\($0)".contains("carries 2 more"), "\($0)") }
        let node = WireMessage.GradientReply.Node(node: TreeNode(first: 0, size: 1), statistics: BatchStatistics(lossSum: 1, correct: 0, count: 1), values: [3])
        let sums = WireMessage(run: 1, .gradient(.init(nodes: [node], computeSeconds: 0, region: .sums)))
        XCTAssertThrowsError(try WireMessage(decoding: sums.encoded())) { XCTAssertTrue("\($0)".contains("in the region carries 1 values"), "\($0)") }
        var bytes = WireMessage(run: 1, .gradient(.init(nodes: [node], computeSeconds: 0, region: .mapped))).encoded()
        XCTAssertNoThrow(try WireMessage(decoding: bytes))
        bytes[WireMessage.headerSize + 8] = 3 // the region-use byte, after compute seconds
        XCTAssertThrowsError(try WireMessage(decoding: bytes)) { XCTAssertTrue("\($0)".contains("unknown region use 3"), "\($0)") }
        var flag = WireMessage(run: 1, .step(.init(position: StepPosition(epoch: 0, step: 0), nodes: [], parameters: []))).encoded()
        flag[WireMessage.headerSize + 12] = 2 // after epoch, step, node count
        XCTAssertThrowsError(try WireMessage(decoding: flag)) { XCTAssertTrue("\($0)".contains("not 0 or 1"), "\($0)") }
    }

    func testDecode_MisalignedNode_IsRefused() {
        let message = WireMessage(run: 1, .step(.init(position: StepPosition(epoch: 0, step: 0), nodes: [TreeNode(first: 2, size: 2)], parameters: [])))
        var bytes = message.encoded()
        bytes[WireMessage.headerSize + 12] = 1 // first = 1 with size 2
        XCTAssertThrowsError(try WireMessage(decoding: bytes)) { XCTAssertTrue("\($0)".contains("aligned")) }
    }

    /// Thousands of random, truncated and bit-flipped messages: each decodes or throws
    /// WireError, never crashes; a decoded message survives another round trip unchanged.
    func testFuzz_RandomTruncatedAndFlippedMessages_DecodeOrThrow() {
        var g = SeededGenerator(seed: 2024)
        var decoded = 0, refused = 0
        for round in 0..<6000 {
            var bytes: [UInt8]
            let base = Self.examples[g.next(below: Self.examples.count)].encoded()
            switch round % 3 {
            case 0:
                bytes = base
                for _ in 0..<(1 + g.next(below: 4)) { bytes[g.next(below: bytes.count)] ^= UInt8(1 << g.next(below: 8)) }
            case 1:
                bytes = Array(base.prefix(g.next(below: base.count + 1)))
            default:
                bytes = Array(base.prefix(WireMessage.headerSize)) + (0..<g.next(below: 64)).map { _ in UInt8(truncatingIfNeeded: g.next()) }
            }
            do {
                let message = try WireMessage(decoding: bytes)
                // Compared as bytes: a flipped bit can make a NaN, which is never == itself.
                XCTAssertEqual(try WireMessage(decoding: message.encoded()).encoded(), message.encoded())
                decoded += 1
            } catch is WireError {
                refused += 1
            } catch {
                XCTFail("unexpected error type \(type(of: error)): \(error)")
            }
        }
        XCTAssertGreaterThan(refused, 1000)
        XCTAssertGreaterThan(decoded, 100)
    }
}
