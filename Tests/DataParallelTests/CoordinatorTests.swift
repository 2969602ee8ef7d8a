import Datasets
import Foundation
import NeuralNetwork
import XCTest
@testable import DataParallel

/// The coordinator and workers over the in-memory transport: the protocol logic without a network.
class CoordinatorTests: XCTestCase {
    /// The exchange these tests run on; `SlicedCoordinatorTests` runs them all again on the other.
    var exchange: ExchangeKind { .star }

    var settings = TrainingSettings(hidden: [12], epochs: 2, batch: 96, microBatch: 32, learningRate: 0.1, optimizer: .momentum, seed: 7)
    lazy var images = syntheticImages(count: 700, seed: 21)

    /// Starts `names.count` worker threads on `hub`; returns a group to wait on and their endings.
    func startWorkers(_ names: [String], hub: InMemoryHub, coreType: String = "Test", shape: String = "", timeout: Double = 5, threads: Int = 1) -> (DispatchGroup, Endings) {
        let group = DispatchGroup()
        let endings = Endings()
        let leaving = self.leaving
        for name in names {
            let transport = Unchecked(value: hub.workerEndpoint(named: name))
            group.enter()
            Thread {
                let runner = WorkerRunner(transport: transport.value, configuration: .init(name: name, coreType: coreType, expectedShape: shape, timeout: timeout, heartbeatInterval: 0.05, threads: threads))
                runner.shouldStop = { leaving.contains(name) }
                endings.record(name, Result { try runner.run() })
                group.leave()
            }.start()
        }
        return (group, endings)
    }

    /// Names of in-process workers that are to leave (say goodbye) at their next message.
    let leaving = Leaving()

    final class Leaving: @unchecked Sendable {
        let lock = NSLock()
        var names: Set<String> = []
        func add(_ name: String) { lock.lock(); names.insert(name); lock.unlock() }
        func contains(_ name: String) -> Bool { lock.lock(); defer { lock.unlock() }; return names.contains(name) }
    }

    final class Endings: @unchecked Sendable {
        let lock = NSLock()
        var results: [String: Result<WorkerRunner.Ending, Error>] = [:]
        func record(_ name: String, _ r: Result<WorkerRunner.Ending, Error>) { lock.lock(); results[name] = r; lock.unlock() }
    }

    func makeCoordinator(hub: InMemoryHub, workers: Int, joinTimeout: Double = 5, heartbeatTimeout: Double = 2, log: Log? = nil) -> Coordinator {
        let plan = Plan(settings: settings, sampleCount: images.count)
        let architecture = settings.architecture(inputs: images.featureCount, classes: images.classes)
        let config = CoordinatorConfiguration(workers: workers, joinTimeout: joinTimeout, heartbeatInterval: 0.05,
                                              heartbeatTimeout: heartbeatTimeout, coreType: "Test", runID: 99, exchange: exchange)
        return Coordinator(plan: plan, architecture: architecture, images: images, configuration: config,
                           transport: hub.coordinatorEndpoint(), log: { log?.append($0) })
    }

    final class Log: @unchecked Sendable {
        let lock = NSLock()
        var lines: [String] = []
        func append(_ s: String) { lock.lock(); lines.append(s); lock.unlock() }
        var text: String { lock.lock(); defer { lock.unlock() }; return lines.joined(separator: "\n") }
    }

    /// Trains through the coordinator; `beforeStep` may disturb the run at a global step.
    func trainDistributed(workers names: [String], hub: InMemoryHub = InMemoryHub(), log: Log? = nil, threads: Int = 1,
                          beforeStep: (Int, InMemoryHub) -> Void = { _, _ in },
                          atEnd: (Coordinator) -> Void = { _ in }) throws -> [Float] {
        let coordinator = makeCoordinator(hub: hub, workers: names.count, log: log)
        let (group, _) = startWorkers(names, hub: hub, threads: threads)
        try coordinator.waitForWorkers()
        let trainer = Trainer(plan: coordinator.plan, network: Network(architecture: coordinator.architecture, seed: settings.seed), executor: coordinator)
        while !trainer.isFinished {
            beforeStep(trainer.nextStep, hub)
            _ = try trainer.step()
        }
        atEnd(coordinator)
        coordinator.shutdown(reason: "done")
        XCTAssertEqual(group.wait(timeout: .now() + 10), .success)
        return trainer.network.parameters
    }

    func testDistributed_OneTwoThreeWorkers_EqualOneProcess_BitForBit() throws {
        let reference = try trainLocally(settings, images: images, threads: 1)
        for count in 1...3 {
            let weights = try trainDistributed(workers: (0..<count).map { "w\($0)" })
            XCTAssertBitwiseEqual(weights, reference, "\(count) in-memory workers")
        }
    }

    /// Every worker that answered a step is active, holding the shards of its block; one
    /// that says goodbye mid-run is dropped, its shards move, and the bits do not change.
    func testDistributed_WorkerLeavesMidRun_EqualsOneProcess_AndLifecycleIsOneState() throws {
        let reference = try trainLocally(settings, images: images, threads: 1)
        let log = Log()
        let weights = try trainDistributed(workers: ["a", "b", "c"], log: log, beforeStep: { step, _ in
            if step == 4 { self.leaving.add("b") }
        }, atEnd: { coordinator in
            XCTAssertEqual(coordinator.workers.map(\.name).sorted(), ["a", "c"], "joined in either order")
            let blocks = coordinator.workers.map { worker -> Set<Int> in
                guard case .active(let shards) = worker.phase else { return [] }
                return shards
            }
            XCTAssertEqual(blocks.map(\.count).sorted(), [1, 2], "both active, 3 shards over 2 workers: \(coordinator.workers.map(\.phase))")
            XCTAssertEqual(blocks.reduce(Set<Int>()) { $0.union($1) }, [0, 1, 2])
        })
        XCTAssertBitwiseEqual(weights, reference, "a worker leaves mid-run")
        XCTAssertTrue(log.text.contains("dropped worker b: it left"), log.text)
    }

    /// A goodbye that arrives between steps: the worker is dropped as the next step begins,
    /// and its shards must reach the others before that step is sent to them.
    func testDistributed_WorkerLeavesBetweenSteps_ShardsMoveBeforeTheNextStep() throws {
        let reference = try trainLocally(settings, images: images, threads: 1)
        let log = Log()
        let weights = try trainDistributed(workers: ["a", "b", "c"], log: log) { step, hub in
            if step == 4 { hub.inject(WireMessage(run: 99, .goodbye("leaving")).encoded(), from: Peer(id: Array("b".utf8))) }
        }
        XCTAssertBitwiseEqual(weights, reference, "a worker left between steps")
        XCTAssertTrue(log.text.contains("dropped worker b: it left: leaving"), log.text)
        XCTAssertFalse(log.text.contains("no reply"), log.text)
    }

    /// A peer that joins and then only heartbeats, never answering its steps: heartbeats
    /// must not keep it on forever. It is dropped after the heartbeat timeout, its work redone.
    func testDistributed_WorkerThatHeartbeatsButNeverAnswers_IsDropped() throws {
        let reference = try trainLocally(settings, images: images, threads: 1)
        let log = Log()
        let hub = InMemoryHub()
        let idle = Unchecked(value: hub.workerEndpoint(named: "idle"))
        let done = DispatchSemaphore(value: 0)
        Thread {
            try? idle.value.send(WireMessage(run: 0, .hello(.init(name: "idle", coreType: "Test", peerAddress: idle.value.link.address))))
            while true {
                if case .message(let message)? = (try? idle.value.receive(timeout: 0.05))?.arrival, case .shutdown = message.body { break }
                try? idle.value.send(WireMessage(run: 99, .heartbeat))
            }
            done.signal()
        }.start()
        let weights = try trainDistributed(workers: ["a", "b"], hub: hub, log: log)
        XCTAssertBitwiseEqual(weights, reference, "with a worker that never answers")
        // The star finds it at its deadline; in the sliced exchange the others miss its parts first.
        XCTAssertTrue(log.text.contains(exchange == .star ? "dropped worker idle: it is alive but has not answered the step"
                                                           : "cannot reach it though"), log.text)
        XCTAssertTrue(log.text.contains("dropped worker idle"), log.text)
        XCTAssertEqual(done.wait(timeout: .now() + 5), .success)
    }

    func testDistributed_WorkersWithSeveralThreads_EqualOneProcess_BitForBit() throws {
        // 3 shards: a lone worker sends nodes 0+2 and 2+1; with 3 threads node 0+2 is split in two.
        let reference = try trainLocally(settings, images: images, threads: 1)
        for threads in [2, 3] {
            XCTAssertBitwiseEqual(try trainDistributed(workers: ["solo"], threads: threads), reference, "1 worker, \(threads) threads")
        }
        XCTAssertBitwiseEqual(try trainDistributed(workers: ["a", "b"], threads: 2), reference, "2 workers, 2 threads each")
    }

    func testDistributed_WorkerCutOffMidRun_IsDroppedAndResultUnchanged() throws {
        let reference = try trainLocally(settings, images: images, threads: 1)
        let log = Log()
        let weights = try trainDistributed(workers: ["a", "b", "c"], log: log) { step, hub in
            if step == 9 { hub.disconnect("b") }
        }
        XCTAssertBitwiseEqual(weights, reference, "after dropping a worker")
        XCTAssertTrue(log.text.contains("dropped worker b"), log.text)
    }

    func testDistributed_HostileMessages_AreRefusedAndResultUnchanged() throws {
        let reference = try trainLocally(settings, images: images, threads: 1)
        let log = Log()
        let evil = Peer(id: Array("evil".utf8))
        let weights = try trainDistributed(workers: ["a", "b"], log: log) { step, hub in
            guard step == 5 else { return }
            hub.inject(WireFrames(head: [1, 2, 3]), from: evil)
            var unknown = WireMessage(run: 99, .heartbeat).encoded()
            unknown.head[6] = 77
            hub.inject(unknown, from: evil)
            hub.inject(WireMessage(run: 12345, .heartbeat).encoded(), from: evil)
            hub.inject(WireMessage(run: 99, step: 5, .gradient(.init(nodes: [], computeSeconds: 0))).encoded(), from: evil)
        }
        XCTAssertBitwiseEqual(weights, reference, "after hostile messages")
        XCTAssertTrue(log.text.contains("undecodable"), log.text)
        XCTAssertTrue(log.text.contains("unknown message type 77"), log.text)
        XCTAssertTrue(log.text.contains("run id 12345"), log.text)
    }

    func testCheck_BadGradients_AreNamed() {
        let hub = InMemoryHub()
        let coordinator = makeCoordinator(hub: hub, workers: 1)
        let p = coordinator.architecture.parameterCount
        let node = TreeNode(first: 0, size: 1)
        func reply(_ values: [Float], count: Int = 32, node n: TreeNode = node) -> WireMessage.GradientReply {
            .init(nodes: [.init(node: n, statistics: BatchStatistics(lossSum: 1, correct: 1, count: count), values: values)], computeSeconds: 0)
        }
        /// What the coordinator receives: NaN and ±∞ are refused by the transport as it decodes.
        func received(_ reply: WireMessage.GradientReply) -> Arrival {
            Arrival.decoding(WireMessage(run: 99, .gradient(reply)).encoded())
        }
        let good = [Float](repeating: 0.5, count: p)
        let expected = Assignment(peer: Peer(id: [1]), order: .init(position: .init(epoch: 0, step: 0), nodes: [node], parameters: nil),
                                  replyNodes: [node], replyFirst: 0, replyCount: p)
        XCTAssertNil(coordinator.validate(reply(good), expected: expected))
        XCTAssertTrue(coordinator.validate(reply(good, node: TreeNode(first: 1, size: 1)), expected: expected)!.contains("it was given"))
        XCTAssertTrue(coordinator.validate(reply(Array(good.dropLast())), expected: expected)!.contains("values"))
        var shifted = reply(good)
        shifted.first = 16
        XCTAssertTrue(coordinator.validate(shifted, expected: expected)!.contains("start at parameter 16"))
        var nan = good
        nan[3] = .nan
        guard case .refused(.undecodable(let reason)) = received(reply(nan)) else { return XCTFail("NaN must be refused") }
        XCTAssertTrue(reason.contains("NaN"), reason)
        nan[3] = .infinity
        guard case .refused(.undecodable(let infinite)) = received(reply(nan)) else { return XCTFail("∞ must be refused") }
        XCTAssertTrue(infinite.contains("NaN or infinite"), infinite)
        XCTAssertTrue(coordinator.validate(reply(good, count: 1000), expected: expected)!.contains("claims"))
    }

    func testJoin_WrongVersionShapeOrKernel_IsRefusedNamingBothSides() throws {
        let hub = InMemoryHub()
        let log = Log()
        let coordinator = makeCoordinator(hub: hub, workers: 1, joinTimeout: 0.5, log: log)
        var oldVersion = WireMessage(run: 0, .hello(.init(name: "old", coreType: "Test"))).encoded()
        oldVersion.head[4] = 7
        hub.inject(oldVersion, from: Peer(id: Array("old".utf8)))
        hub.inject(WireMessage(run: 0, .hello(.init(name: "shape", coreType: "Test", expectedShape: "64,99,4"))).encoded(), from: Peer(id: Array("shape".utf8)))
        hub.inject(WireMessage(run: 0, .hello(.init(name: "kernel", coreType: "Prescott"))).encoded(), from: Peer(id: Array("kernel".utf8)))
        XCTAssertThrowsError(try coordinator.waitForWorkers()) { error in
            XCTAssertTrue("\(error)".contains("none came, 1 missing"), "\(error)")
        }
        XCTAssertTrue(log.text.contains("protocol version 7, the coordinator speaks version \(WireMessage.protocolVersion)"), log.text)
        XCTAssertTrue(log.text.contains("expects a model of shape 64,99,4, the coordinator trains 64,12,4"), log.text)
        XCTAssertTrue(log.text.contains("core type is Prescott, the coordinator's is Test"), log.text)
    }

    func testJoin_MixedKernelsAllowed_IsAdmittedWithAWarning() throws {
        let hub = InMemoryHub()
        let log = Log()
        let plan = Plan(settings: settings, sampleCount: images.count)
        let coordinator = Coordinator(plan: plan, architecture: settings.architecture(inputs: 64, classes: 4), images: images,
                                      configuration: .init(workers: 1, joinTimeout: 2, coreType: "Test", allowMixedKernels: true, runID: 1),
                                      transport: hub.coordinatorEndpoint(), log: log.append)
        hub.inject(WireMessage(run: 0, .hello(.init(name: "kernel", coreType: "Prescott"))).encoded(), from: Peer(id: Array("kernel".utf8)))
        try coordinator.waitForWorkers()
        XCTAssertTrue(log.text.contains("no longer bit-exact"), log.text)
    }

    func testJoin_NobodyComes_TimesOutNamingWhoCame() throws {
        let hub = InMemoryHub()
        let coordinator = makeCoordinator(hub: hub, workers: 3, joinTimeout: 0.5)
        let (group, _) = startWorkers(["only-one"], hub: hub, timeout: 1)
        XCTAssertThrowsError(try coordinator.waitForWorkers()) { error in
            XCTAssertTrue("\(error)".contains("1 came (only-one), 2 missing"), "\(error)")
        }
        _ = group.wait(timeout: .now() + 5)
    }

    func testWorker_CoordinatorVanishes_ExitsAfterTimeoutWithAClearMessage() throws {
        let hub = InMemoryHub()
        let (group, endings) = startWorkers(["lonely"], hub: hub, timeout: 0.3)
        XCTAssertEqual(group.wait(timeout: .now() + 5), .success)
        guard case .failure(let error) = endings.results["lonely"] else { return XCTFail("the worker should fail") }
        XCTAssertTrue("\(error)".contains("no answer from the coordinator"), "\(error)")
    }
}

extension CoordinatorTests {
    /// The finiteness test used on every gradient as it is copied out of its frame: NaN and
    /// ±∞ anywhere (vector body or tail) are found, and the copy is exact.
    func testFiniteCheck_FindsNaNAndInfinityAnywhere_AndCopiesExactly() {
        func copy(_ values: [Float]) -> (Bool, [Float]) {
            var target = [Float](repeating: 0, count: values.count)
            let finite = values.withUnsafeBytes { s in target.withUnsafeMutableBufferPointer { FloatFrame.copyCheckingFinite(s, to: $0) } }
            return (finite, target)
        }
        for count in [0, 1, 15, 16, 17, 1000, 1003] {
            var values = (0..<count).map { Float($0) * -1.5e-3 + 3e38 * Float($0 % 2) }
            XCTAssertTrue(copy(values).0, "\(count) finite values")
            for position in Set([0, count / 2, count - 1]) where count > 0 {
                for bad in [Float.nan, .infinity, -.infinity, .signalingNaN] {
                    let saved = values[position]
                    values[position] = bad
                    XCTAssertFalse(copy(values).0, "\(bad) at \(position) of \(count)")
                    values[position] = saved
                }
            }
            XCTAssertBitwiseEqual(copy(values).1, values, "copy of \(count)")
        }
    }
}
