import Datasets
import Foundation
import NeuralNetwork
import XCTest
@testable import DataParallel

/// Every coordinator test again, on the sliced exchange: the same bits, the same faults.
final class SlicedCoordinatorTests: CoordinatorTests {
    override var exchange: ExchangeKind { .sliced }

    /// Slices that start inside a vector: 901 parameters (64→13→4) over 3 and 7 owners, with
    /// every optimiser, against one process.
    func testSliced_OddSizesAndOwnerCounts_EqualOneProcess_BitForBit() throws {
        for optimizer in OptimizerKind.allCases {
            settings = TrainingSettings(hidden: [13], epochs: 1, batch: 224, microBatch: 32, learningRate: 0.05,
                                        optimizer: optimizer, seed: 11)
            XCTAssertEqual(settings.architecture(inputs: 64, classes: 4).parameterCount, 901)
            let reference = try trainLocally(settings, images: images, threads: 1)
            for count in [3, 7] {
                XCTAssertBitwiseEqual(try trainDistributed(workers: (0..<count).map { "w\($0)" }), reference,
                                      "\(count) owners, \(optimizer)")
            }
        }
    }

    /// More owners than shards: the idle ones still own slices, reduce and update them.
    func testSliced_MoreWorkersThanShards_EqualOneProcess() throws {
        let reference = try trainLocally(settings, images: images, threads: 1)
        XCTAssertBitwiseEqual(try trainDistributed(workers: (0..<5).map { "w\($0)" }), reference, "5 owners, 3 shards")
    }

    /// A worker whose peer socket nobody can reach, though it reaches the coordinator: the
    /// others say so, the coordinator drops it by name, the step is redone, the bits stay.
    func testSliced_WorkerOthersCannotReach_IsNamedAndDropped() throws {
        let reference = try trainLocally(settings, images: images, threads: 1)
        let log = Log()
        let weights = try trainDistributed(workers: ["a", "b", "c"], log: log) { step, hub in
            if step == 6 { hub.blockPeerSocket(of: "b") }
        }
        XCTAssertBitwiseEqual(weights, reference, "after dropping the unreachable worker")
        // Whoever complains first, b goes: a and c name it, or b names both of them.
        XCTAssertTrue(log.text.contains("dropped worker b:"), log.text)
        XCTAssertTrue(log.text.contains("cannot reach it though"), log.text)
        XCTAssertFalse(log.text.contains("dropped worker a") || log.text.contains("dropped worker c"), log.text)
    }

    /// A worker whose slices stop reaching the others while the coordinator still gets its
    /// reduced slice: that step succeeds, the others cannot start the next (its slice never
    /// came) and say so about the step it builds on; the coordinator drops the worker and
    /// redoes the step from its exact copy.
    func testSliced_SlicesLostAfterTheCoordinatorGotTheStep_WorkerIsDropped() throws {
        let reference = try trainLocally(settings, images: images, threads: 1)
        let log = Log()
        let weights = try trainDistributed(workers: ["a", "b", "c"], log: log) { step, hub in
            if step == 5 { hub.loseSlices(of: "c") }
        }
        XCTAssertBitwiseEqual(weights, reference, "after dropping the worker whose slices were lost")
        XCTAssertTrue(log.text.contains("dropped worker c:"), log.text)
        XCTAssertFalse(log.text.contains("dropped worker a") || log.text.contains("dropped worker b"), log.text)
    }

    /// Garbage, forged parts and slices, and another run's messages on a worker's peer
    /// socket are ignored; the run's bits do not change.
    func testSliced_HostilePeerMessages_AreIgnored() throws {
        let reference = try trainLocally(settings, images: images, threads: 1)
        let weights = try trainDistributed(workers: ["a", "b"]) { step, hub in
            guard step == 3 || step == 4 else { return }
            hub.injectToPeerSocket(of: "a", WireFrames(head: [9, 9, 9]))
            hub.injectToPeerSocket(of: "a", WireMessage(run: 12345, step: 5, .slice(.init(rank: 1, first: 0, values: [1, 2]))).encoded())
            // Forged for the coming orders (numbers ≥ the step's): a part of the wrong shape
            // and a slice that is not rank 1's.
            for number in UInt64(step)...UInt64(step + 3) {
                let forged = WireMessage.GradientReply(nodes: [.init(node: TreeNode(first: 0, size: 1), statistics: .init(lossSum: 1, correct: 1, count: 1), values: [7])],
                                                       first: 0, computeSeconds: 0)
                hub.injectToPeerSocket(of: "a", WireMessage(run: 99, step: number, .part(.init(rank: 1, sums: forged))).encoded())
                hub.injectToPeerSocket(of: "a", WireMessage(run: 99, step: number, .slice(.init(rank: 1, first: 3, values: [0]))).encoded())
                hub.injectToPeerSocket(of: "a", WireMessage(run: 99, step: number, .heartbeat).encoded())
            }
        }
        XCTAssertBitwiseEqual(weights, reference, "after hostile peer messages")
    }

    func testSlices_AreAlignedContiguousAndCoverEverything() {
        for (count, owners) in [(901, 3), (901, 7), (407_080, 4), (16, 3), (0, 2), (5, 1)] {
            let slices = SlicedExchange.slices(count: count, owners: owners)
            XCTAssertEqual(slices.count, owners)
            XCTAssertEqual(slices.first?.lowerBound, 0)
            XCTAssertEqual(slices.last?.upperBound, count)
            for (a, b) in zip(slices, slices.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound) }
            for s in slices where !s.isEmpty { XCTAssertEqual(s.lowerBound % SlicedExchange.alignment, 0, "\(count) over \(owners): \(slices)") }
            let sizes = slices.map(\.count)
            XCTAssertLessThanOrEqual(sizes.max()! - sizes.min()!, SlicedExchange.alignment + count % SlicedExchange.alignment, "\(slices)")
        }
    }

    func testPeerLink_WildcardBindBecomesTheHostTheWorkerCameFrom() {
        XCTAssertEqual(PeerLink.resolving("tcp://0.0.0.0:5556", key: [], host: "10.0.0.3")?.address, "tcp://10.0.0.3:5556")
        XCTAssertEqual(PeerLink.resolving("tcp://*:41000", key: [], host: "fd00::1")?.address, "tcp://[fd00::1]:41000")
        XCTAssertEqual(PeerLink.resolving("tcp://10.1.1.1:7", key: [], host: "10.0.0.3")?.address, "tcp://10.1.1.1:7")
        XCTAssertEqual(PeerLink.resolving("ipc:///tmp/x/w1.ipc", key: [], host: nil)?.address, "ipc:///tmp/x/w1.ipc")
        XCTAssertNil(PeerLink.resolving("tcp://0.0.0.0:5556", key: [], host: nil))
        XCTAssertNil(PeerLink.resolving("", key: [], host: "10.0.0.3"))
    }

    /// A hello that gives no reachable peer address is refused, naming the flag to fix it.
    func testJoin_NoPeerAddress_IsRefusedNamingTheFlag() throws {
        let hub = InMemoryHub()
        let log = Log()
        let coordinator = makeCoordinator(hub: hub, workers: 1, joinTimeout: 0.5, log: log)
        hub.inject(WireMessage(run: 0, .hello(.init(name: "lost", coreType: "Test", peerAddress: "tcp://*:5556"))).encoded(), from: Peer(id: Array("lost".utf8)))
        XCTAssertThrowsError(try coordinator.waitForWorkers())
        XCTAssertTrue(log.text.contains("refused worker lost: other workers cannot reach it"), log.text)
        XCTAssertTrue(log.text.contains("--peer-bind"), log.text)
    }
}
