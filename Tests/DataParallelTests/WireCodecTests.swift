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
        WireMessage(run: 42, step: 18, .step(.init(position: StepPosition(epoch: 0, step: 1), nodes: [TreeNode(first: 0, size: 1)],
                                                   parameters: []))),
        WireMessage(run: 42, .shutdown("training finished")),
        WireMessage(run: 42, .error("gradient for shard 9, which you were not given")),
        // The sliced exchange: an order with the slicing, the parameters and the slice's state,
        WireMessage(run: 42, step: 19, .step(.init(position: StepPosition(epoch: 2, step: 0), nodes: [TreeNode(first: 1, size: 1)],
                                                   parameters: [1, 2, 3, 4], learningRateScale: 0.375,
                                                   owners: [.init(link: PeerLink(address: "tcp://10.0.0.2:5556", key: [UInt8](repeating: 7, count: 32)), range: 0..<2),
                                                            .init(link: PeerLink(address: "ipc:///tmp/w.ipc", key: []), range: 2..<4)],
                                                   rank: 1, basis: 0, state: .init(step: 9, firstMoment: [0.5, 0.25], secondMoment: [])))),
        // one that computes with the last round's all-gather, a part, a slice and a complaint.
        WireMessage(run: 42, step: 20, .step(.init(position: StepPosition(epoch: 2, step: 1), nodes: [], parameters: nil,
                                                   owners: [.init(link: PeerLink(address: "mem://a", key: []), range: 0..<4)], rank: 0, basis: 19))),
        WireMessage(run: 42, step: 20, .part(.init(rank: 1, sums: .init(nodes: [
            .init(node: TreeNode(first: 2, size: 2), statistics: BatchStatistics(lossSum: 1.5, correct: 3, count: 4), values: [0.5, -1]),
        ], first: 16, computeSeconds: 0.25)))),
        WireMessage(run: 42, step: 20, .slice(.init(rank: 2, first: 32, values: [1, -1, 0.5]))),
        WireMessage(run: 42, step: 20, .unreachable([0, 3])),
        WireMessage(run: 42, step: 20, .done(BatchStatistics(lossSum: 17.25, correct: 60, count: 64))),
        WireMessage(run: 0, .hello(.init(name: "worker-b", coreType: "Zen", peerAddress: "tcp://0.0.0.0:5556", peerKey: [UInt8](repeating: 1, count: 32)))),
    ]

    /// A NaN in a peer's slice, a bad learning-rate scale or a key of the wrong size is refused.
    func testDecode_SlicedFields_AreChecked() {
        XCTAssertThrowsError(try WireMessage(decoding: WireMessage(run: 1, step: 2, .slice(.init(rank: 0, first: 0, values: [1, .nan]))).encoded())) {
            XCTAssertTrue("\($0)".contains("NaN"), "\($0)")
        }
        let badKey = WireMessage(run: 1, step: 2, .step(.init(position: .init(epoch: 0, step: 0), nodes: [], parameters: nil,
                                                              owners: [.init(link: PeerLink(address: "x", key: [1, 2, 3]), range: 0..<1)])))
        XCTAssertThrowsError(try WireMessage(decoding: badKey.encoded())) { XCTAssertTrue("\($0)".contains("not 32"), "\($0)") }
        let badScale = WireMessage(run: 1, step: 2, .step(.init(position: .init(epoch: 0, step: 0), nodes: [], parameters: nil,
                                                                learningRateScale: .infinity)))
        XCTAssertThrowsError(try WireMessage(decoding: badScale.encoded())) { XCTAssertTrue("\($0)".contains("scale"), "\($0)") }
        var missingState = WireMessage(run: 1, step: 2, .step(.init(position: .init(epoch: 0, step: 0), nodes: [], parameters: [1],
                                                                    state: .init(step: 1, firstMoment: [1], secondMoment: [])))).encoded()
        missingState.payloads.removeLast()
        XCTAssertThrowsError(try WireMessage(decoding: missingState)) { XCTAssertTrue("\($0)".contains("second moment"), "\($0)") }
    }

    func testRoundTrip_EveryMessageType() throws {
        XCTAssertEqual(Set(Self.examples.map(\.body.kind)), Set(WireMessage.Kind.allCases))
        for message in Self.examples {
            let decoded = try WireMessage(decoding: message.encoded())
            XCTAssertEqual(decoded, message)
        }
    }

    func testDecode_Header_CheckedFirst() {
        var frames = Self.examples[5].encoded()
        frames.head[0] ^= 0xFF
        XCTAssertThrowsError(try WireMessage(decoding: frames)) { XCTAssertTrue("\($0)".contains("magic")) }
        frames = Self.examples[5].encoded()
        frames.head[4] = 9 // version 9
        XCTAssertThrowsError(try WireMessage(decoding: frames)) { XCTAssertTrue("\($0)".contains("protocol version 9"), "\($0)") }
        frames = Self.examples[5].encoded()
        frames.head[6] = 200
        XCTAssertThrowsError(try WireMessage(decoding: frames)) { XCTAssertTrue("\($0)".contains("unknown message type 200")) }
        XCTAssertThrowsError(try WireMessage(decoding: WireFrames(head: Array(frames.head.prefix(10))))) { XCTAssertTrue("\($0)".contains("at least 24 bytes")) }
        XCTAssertThrowsError(try WireMessage(decoding: WireFrames(head: Self.examples[5].encoded().head + [0]))) { XCTAssertTrue("\($0)".contains("trailing")) }
    }

    func testDecode_ForgedCount_IsRefusedBeforeAllocating() {
        var frames = Self.examples[3].encoded()
        // The node count is the u32 after epoch and step.
        let countOffset = WireMessage.headerSize + 8
        frames.head.replaceSubrange(countOffset..<(countOffset + 4), with: [0xFF, 0xFF, 0xFF, 0x7F])
        XCTAssertThrowsError(try WireMessage(decoding: frames)) { XCTAssertTrue("\($0)".contains("do not fit"), "\($0)") }
        XCTAssertThrowsError(try WireMessage(decoding: Self.examples[3].encoded(), maximumFloats: 3)) { XCTAssertTrue("\($0)".contains("at most 3"), "\($0)") }
    }

    /// Float32 arrays travel as frames of their own: a missing, extra or ragged frame is
    /// refused, and gradient sums with NaN or ±∞ are refused as they are copied out.
    func testDecode_FloatFrames_AreChecked() {
        var frames = Self.examples[3].encoded()
        frames.payloads = []
        XCTAssertThrowsError(try WireMessage(decoding: frames)) { XCTAssertTrue("\($0)".contains("parameters is missing"), "\($0)") }
        frames.payloads = [[1], [2]]
        XCTAssertThrowsError(try WireMessage(decoding: frames)) { XCTAssertTrue("\($0)".contains("1 unexpected frames"), "\($0)") }
        for bad in [Float.nan, .infinity, -.infinity, .signalingNaN] {
            let node = WireMessage.GradientReply.Node(node: TreeNode(first: 0, size: 1), statistics: BatchStatistics(lossSum: 1, correct: 0, count: 1),
                                                      values: [1, 2, bad] + [Float](repeating: 0.5, count: 40))
            let gradient = WireMessage(run: 1, .gradient(.init(nodes: [node], computeSeconds: 0)))
            XCTAssertThrowsError(try WireMessage(decoding: gradient.encoded())) { XCTAssertTrue("\($0)".contains("node 0+1 has NaN or infinite values"), "\($0)") }
        }
        let step = WireMessage(run: 1, .step(.init(position: StepPosition(epoch: 0, step: 0), nodes: [], parameters: [.nan])))
        XCTAssertNoThrow(try WireMessage(decoding: step.encoded()), "parameters are the coordinator's, not checked")
    }

    /// A frame of bytes that are not whole Float32 values, at any alignment, is refused.
    func testDecode_RaggedFloatFrame_IsRefused() throws {
        let head = Self.examples[3].encoded().head
        let raw: [UInt8] = Array(repeating: 0, count: 19)
        try raw.withUnsafeBytes { bytes in
            XCTAssertThrowsError(try WireMessage(head: head, payloads: [UnsafeRawBufferPointer(rebasing: bytes[1..<14])])) {
                XCTAssertTrue("\($0)".contains("not whole Float32 values"), "\($0)")
            }
            let misaligned = try WireMessage(head: head, payloads: [UnsafeRawBufferPointer(rebasing: bytes[1..<17])])
            guard case .step(let order) = misaligned.body else { return XCTFail("a step") }
            XCTAssertEqual(order.parameters, [0, 0, 0, 0], "read at an odd address")
        }
    }

    func testDecode_MisalignedNode_IsRefused() {
        let message = WireMessage(run: 1, .step(.init(position: StepPosition(epoch: 0, step: 0), nodes: [TreeNode(first: 2, size: 2)], parameters: [])))
        var frames = message.encoded()
        frames.head[WireMessage.headerSize + 12] = 1 // first = 1 with size 2
        XCTAssertThrowsError(try WireMessage(decoding: frames)) { XCTAssertTrue("\($0)".contains("aligned")) }
    }

    /// Thousands of random, truncated and bit-flipped messages: each decodes or throws
    /// WireError, never crashes; a decoded message survives another round trip unchanged.
    func testFuzz_RandomTruncatedAndFlippedMessages_DecodeOrThrow() {
        var g = SeededGenerator(seed: 2024)
        var decoded = 0, refused = 0
        for round in 0..<6000 {
            let base = Self.examples[g.next(below: Self.examples.count)].encoded()
            var frames = base
            switch round % 4 {
            case 0:
                for _ in 0..<(1 + g.next(below: 4)) { frames.head[g.next(below: frames.head.count)] ^= UInt8(1 << g.next(below: 8)) }
            case 1:
                frames.head = Array(base.head.prefix(g.next(below: base.head.count + 1)))
            case 2:
                frames.head = Array(base.head.prefix(WireMessage.headerSize)) + (0..<g.next(below: 64)).map { _ in UInt8(truncatingIfNeeded: g.next()) }
            default:
                frames.payloads = (0..<g.next(below: 3)).map { _ in (0..<g.next(below: 5)).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: g.next())) } }
            }
            do {
                let message = try WireMessage(decoding: frames)
                // Compared as bytes: a flipped bit can make a NaN, which is never == itself.
                let again = try WireMessage(decoding: message.encoded()).encoded(), first = message.encoded()
                XCTAssertEqual(again.head, first.head)
                XCTAssertEqual(again.payloads.map { $0.map(\.bitPattern) }, first.payloads.map { $0.map(\.bitPattern) })
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
