import Datasets
import Foundation
import NeuralNetwork
import XCTest
@testable import DataParallel

/// Who may join and what a peer can do to the log: duplicate names, a full run, joiners that
/// never answer, names with control characters, floods of bad frames.
extension CoordinatorTests {
    func hello(_ name: String) -> WireFrames { WireMessage(run: 0, .hello(.init(name: name, coreType: "Test", peerAddress: "mem://\(name)"))).encoded() }

    func testJoin_DuplicateName_IsRefusedNamingTheName() throws {
        let hub = InMemoryHub()
        let log = Log()
        let coordinator = makeCoordinator(hub: hub, workers: 2, joinTimeout: 0.5, log: log)
        hub.inject(hello("twin"), from: Peer(id: [0, 1]))
        hub.inject(hello("twin"), from: Peer(id: [0, 2]))
        XCTAssertThrowsError(try coordinator.waitForWorkers())
        XCTAssertEqual(coordinator.workers.map(\.name), ["twin"])
        XCTAssertTrue(log.text.contains("refused worker twin: a worker named twin is already in the run; give each worker its own --name"), log.text)
    }

    func testJoin_BeyondMaximumWorkers_IsRefused() throws {
        let hub = InMemoryHub()
        let log = Log()
        let plan = Plan(settings: settings, sampleCount: images.count)
        let coordinator = Coordinator(plan: plan, architecture: settings.architecture(inputs: 64, classes: 4), images: images,
                                      configuration: .init(workers: 3, joinTimeout: 0.5, coreType: "Test", runID: 1, maximumWorkers: 2),
                                      transport: hub.coordinatorEndpoint(), log: log.append)
        for i in 1...3 { hub.inject(hello("w\(i)"), from: Peer(id: [0, UInt8(i)])) }
        XCTAssertThrowsError(try coordinator.waitForWorkers())
        XCTAssertEqual(coordinator.workers.count, 2)
        XCTAssertTrue(log.text.contains("refused worker w3: the run is full: 2 workers, at most 2 (--max-workers)"), log.text)
        XCTAssertEqual(CoordinatorConfiguration.defaultMaximumWorkers(for: 3), 12)
    }

    /// Three joiners that never answer cost one heartbeat timeout together, not one each:
    /// they are dropped in one go, and the step is redone once.
    func testStep_SeveralSilentJoiners_AreDroppedTogether() throws {
        let reference = try trainLocally(settings, images: images, threads: 1)
        let log = Log()
        let hub = InMemoryHub()
        for i in 1...3 { hub.inject(hello("mute\(i)"), from: Peer(id: Array("mute\(i)".utf8))) }
        var attempts: UInt64 = 0, steps = 0
        let weights = try trainDistributed(workers: ["a"], hub: hub, log: log, atEnd: { coordinator in
            attempts = coordinator.nextOrder
            steps = coordinator.plan.totalSteps
        })
        XCTAssertBitwiseEqual(weights, reference, "with three silent joiners")
        XCTAssertEqual(log.lines.filter { $0.hasPrefix("dropped worker mute") }.count, 3, log.text)
        XCTAssertEqual(attempts, UInt64(steps + 1), "one redone attempt for the three, not three:\n\(log.text)")
    }

    func testRefusalLog_RepeatsWithinTheInterval_AreCountedOnTheNextLine() {
        var refusals = RefusalLog(interval: 10)
        XCTAssertEqual(refusals.line("bad", key: "k", now: 0), "bad")
        XCTAssertNil(refusals.line("bad", key: "k", now: 1))
        XCTAssertNil(refusals.line("bad", key: "k", now: 2))
        XCTAssertEqual(refusals.line("other", key: "j", now: 3), "other")
        XCTAssertEqual(refusals.line("bad", key: "k", now: 10.5), "bad (and 2 more like it in the last 10 s)")
    }

    func testLog_PeerNameWithControlCharacters_IsEscaped() throws {
        let hub = InMemoryHub()
        let log = Log()
        let coordinator = makeCoordinator(hub: hub, workers: 1, joinTimeout: 0.3, log: log)
        hub.inject(hello("evil\nrefused worker x\u{1B}[31m"), from: Peer(id: [0, 9]))
        try coordinator.waitForWorkers()
        XCTAssertTrue(log.text.contains("worker evil\\u{A}refused worker x\\u{1B}[31m joined"), log.text)
        XCTAssertFalse(log.text.contains("\u{1B}"), "no raw escape in the log")
        XCTAssertEqual(log.lines.count, 1, log.text)
    }

    /// 5,000 undecodable frames write a handful of lines, with a count of the rest.
    func testLog_FloodOfBadFrames_IsRateLimited() throws {
        let hub = InMemoryHub()
        let log = Log()
        let coordinator = makeCoordinator(hub: hub, workers: 1, joinTimeout: 0.5, log: log)
        for i in 0..<5000 { hub.inject(WireFrames(head: [UInt8(i % 7), 1, 2]), from: Peer(id: [0, 7])) }
        XCTAssertThrowsError(try coordinator.waitForWorkers())
        XCTAssertLessThanOrEqual(log.lines.count, 3, log.text)
        hub.inject(WireFrames(head: [1, 2, 3]), from: Peer(id: [0, 7]))
        coordinator.refusals = RefusalLog(interval: 0)
        coordinator.drainWithoutWaiting()
        XCTAssertTrue(log.lines.last?.contains("refused a message from 0007") ?? false, log.text)
        XCTAssertEqual(escapedForLog("a\u{7}b\u{85}c"), "a\\u{7}b\\u{85}c")
        XCTAssertTrue(escapedForLog(String(repeating: "x", count: 300)).hasSuffix("… (100 more characters)"))
    }
}

extension CoordinatorTests {
    /// All workers gone mid-run: the error says where, why, and what to do, without blaming
    /// the learning rate unless the gradients were NaN.
    func testStep_EveryWorkerGone_SaysWhereAndHowToGoOn() throws {
        XCTAssertThrowsError(try trainDistributed(workers: ["only"]) { step, hub in
            if step == 3 { hub.disconnect("only") }
        }) { error in
            guard let lost = error as? WorkersLost else { return XCTFail("\(error)") }
            // The sliced exchange orders step 3 before step 2's data is in: cut off after that,
            // the worker may still have answered it.
            XCTAssertTrue(self.exchange == .star ? lost.position.step == 3 : [3, 4].contains(lost.position.step), "\(lost.position)")
            XCTAssertFalse(lost.allNonFinite)
            XCTAssertTrue(lost.description.contains("resume from a checkpoint"), lost.description)
            XCTAssertFalse(lost.description.contains("--lr"), lost.description)
        }
        let diverged = WorkersLost(position: StepPosition(epoch: 0, step: 1), lastReason: "w: NaN", allNonFinite: true)
        XCTAssertTrue(diverged.description.contains("lower --lr"), diverged.description)
        XCTAssertTrue(Refusal.undecodable("undecodable message (9 bytes): node 0+1 has NaN or infinite values").isNonFinite)
        XCTAssertFalse(Refusal.undecodable("bad magic").isNonFinite)
    }
}
