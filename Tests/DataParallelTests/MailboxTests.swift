import Foundation
import NeuralNetwork
import XCTest
@testable import DataParallel

/// The mailboxes of a shared region, and the transports that route step messages through
/// them: whole messages only, in order with what went through ZeroMQ, answered the way they came.
final class MailboxTests: XCTestCase {
    func testMailbox_PostThenTake_OnceEach() throws {
        let region = try SharedRegion.create(parameterCount: 4, slots: 1, name: "mail")
        let inbox = region.inbox
        var seen = inbox.currentSequence
        XCTAssertNil(inbox.take(after: &seen))
        XCTAssertTrue(inbox.post([1, 2, 3]))
        XCTAssertEqual(inbox.take(after: &seen), [1, 2, 3])
        XCTAssertNil(inbox.take(after: &seen), "a message is taken once")
        XCTAssertTrue(inbox.post([4]))
        XCTAssertTrue(inbox.post([5, 6]))
        XCTAssertEqual(inbox.take(after: &seen), [5, 6], "a one-message mailbox keeps the latest")
        XCTAssertFalse(inbox.post([UInt8](repeating: 9, count: Mailbox.capacity + 1)), "too large for the mailbox")
        XCTAssertTrue(inbox.post([UInt8](repeating: 9, count: Mailbox.capacity)))
        XCTAssertEqual(inbox.take(after: &seen)?.count, Mailbox.capacity)
        // The two mailboxes are apart.
        var outSeen = region.outbox.currentSequence
        XCTAssertNil(region.outbox.take(after: &outSeen))
    }

    /// A writer that died mid-post (odd sequence) or wrote a length beyond the capacity: the
    /// reader takes nothing half-written, and a broken length reads as an empty message.
    func testMailbox_HalfWrittenOrBrokenMessage_IsNotTakenAsIs() throws {
        let region = try SharedRegion.create(parameterCount: 4, slots: 1, name: "torn")
        let words = (region.base + 64).assumingMemoryBound(to: UInt32.self)
        var seen = region.inbox.currentSequence
        words[0] = 7 // odd: being written
        XCTAssertNil(region.inbox.take(after: &seen))
        words[0] = 8
        words[1] = UInt32(Mailbox.capacity + 100)
        XCTAssertEqual(region.inbox.take(after: &seen), [])
        XCTAssertEqual(seen, 8)
        XCTAssertTrue(region.inbox.post([42]), "a post after a broken one starts a fresh message")
        XCTAssertEqual(region.inbox.take(after: &seen), [42])
    }

    func testMailbox_WaitReturnsWhenPostedOrAfterTheTimeout() throws {
        let region = try SharedRegion.create(parameterCount: 4, slots: 1, name: "wait")
        let seen = region.inbox.currentSequence
        var start = Clock.now()
        region.inbox.wait(after: seen, timeout: 0.05)
        XCTAssertGreaterThanOrEqual(Clock.now() - start, 0.04, "nothing posted: sleeps until the timeout")
        let poster = Unchecked(value: region)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) { _ = poster.value.inbox.post([1]) }
        start = Clock.now()
        region.inbox.wait(after: seen, timeout: 10)
        XCTAssertLessThan(Clock.now() - start, 5, "a post wakes the sleeper")
        var s = seen
        XCTAssertEqual(region.inbox.take(after: &s), [1])
    }

    func step(_ number: UInt64) -> [UInt8] {
        WireMessage(run: 1, step: number, .step(.init(position: StepPosition(epoch: 0, step: 0), nodes: [TreeNode(first: 0, size: 1)],
                                                      parameters: [], parametersInRegion: true))).encoded()
    }

    func reply(_ number: UInt64) -> [UInt8] {
        WireMessage(run: 1, step: number, .gradient(.init(nodes: [], computeSeconds: 0, region: .sums))).encoded()
    }

    /// Steps go through the inbox; after shards went through ZeroMQ, the next steps follow
    /// them through ZeroMQ, and the mailbox is used again once the last of those is answered.
    func testCoordinatorLane_KeepsStepsBehindOrderedZeroMQMessages() throws {
        let hub = InMemoryHub()
        let peer = Peer(id: Array("w".utf8))
        let worker = hub.workerEndpoint(named: "w")
        let coordinator = MailboxCoordinatorTransport(inner: hub.coordinatorEndpoint(), spin: 0)
        let region = try SharedRegion.create(parameterCount: 4, slots: 1, name: "lane")
        coordinator.attach(region, for: peer)
        var inboxSeen = region.inbox.currentSequence

        try coordinator.send(step(1), to: peer)
        XCTAssertEqual(region.inbox.take(after: &inboxSeen), step(1), "a step goes to the inbox")
        XCTAssertNil(try worker.receive(timeout: 0))
        XCTAssertTrue(region.outbox.post(reply(1)))
        let answered = try XCTUnwrap(coordinator.receive(timeout: 1))
        XCTAssertEqual(answered.peer, peer)
        XCTAssertEqual(answered.message, reply(1))

        let shards = WireMessage(run: 1, .shards(.init(drop: [], shards: []))).encoded()
        try coordinator.send(shards, to: peer)
        try coordinator.send(WireMessage(run: 1, .heartbeat).encoded(), to: peer)
        try coordinator.send(step(2), to: peer)
        XCTAssertNil(region.inbox.take(after: &inboxSeen), "behind the shards, the step goes through ZeroMQ")
        XCTAssertEqual(try worker.receive(timeout: 0), shards)
        _ = try worker.receive(timeout: 0) // the heartbeat
        XCTAssertEqual(try worker.receive(timeout: 0), step(2))
        try coordinator.send(step(3), to: peer) // a redo of the step, before any answer
        XCTAssertEqual(try worker.receive(timeout: 0), step(3))
        try worker.send(reply(2)) // the answer to an older order frees nothing
        _ = try coordinator.receive(timeout: 1)
        try coordinator.send(step(4), to: peer)
        XCTAssertNil(region.inbox.take(after: &inboxSeen))
        XCTAssertEqual(try worker.receive(timeout: 0), step(4))
        try worker.send(reply(4))
        _ = try coordinator.receive(timeout: 1)
        try coordinator.send(step(5), to: peer)
        XCTAssertEqual(region.inbox.take(after: &inboxSeen), step(5), "answered: the mailbox is used again")

        coordinator.detach(peer)
        try coordinator.send(step(6), to: peer)
        XCTAssertEqual(try worker.receive(timeout: 0), step(6), "a detached worker gets its steps through ZeroMQ")
    }

    /// A step redone before its first order was answered: the late answer to the first order
    /// must not end the wait for the answer to the second.
    func testCoordinatorLane_LateAnswerToARedoneStep_DoesNotEndTheWait() throws {
        let hub = InMemoryHub()
        let peer = Peer(id: Array("w".utf8))
        let coordinator = MailboxCoordinatorTransport(inner: hub.coordinatorEndpoint(), spin: 0)
        let region = try SharedRegion.create(parameterCount: 4, slots: 1, name: "redo")
        coordinator.attach(region, for: peer)
        try coordinator.send(step(1), to: peer)
        try coordinator.send(step(2), to: peer)
        XCTAssertTrue(region.outbox.post(reply(1)))
        XCTAssertEqual(try coordinator.receive(timeout: 1)?.message, reply(1))
        let poster = Unchecked(value: region)
        let reply2 = reply(2)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) { _ = poster.value.outbox.post(reply2) }
        XCTAssertEqual(try coordinator.receive(timeout: 5)?.message, reply(2), "the answer to the redone step is still awaited")
        XCTAssertNil(try coordinator.receive(timeout: 0.01))
    }

    /// A worker answers through the outbox only an order that came through the inbox.
    func testWorkerLane_AnswersTheWayTheOrderCame() throws {
        let hub = InMemoryHub()
        let worker = MailboxWorkerTransport(inner: hub.workerEndpoint(named: "w"))
        let coordinator = hub.coordinatorEndpoint()
        let region = try SharedRegion.create(parameterCount: 4, slots: 1, name: "wlane")
        worker.attach(region)
        var outboxSeen = region.outbox.currentSequence

        try coordinator.send(step(1), to: Peer(id: Array("w".utf8)))
        XCTAssertEqual(try worker.receive(timeout: 1), step(1))
        try worker.send(reply(1))
        XCTAssertNil(region.outbox.take(after: &outboxSeen))
        XCTAssertEqual(try coordinator.receive(timeout: 1)?.message, reply(1), "a ZeroMQ order is answered through ZeroMQ")

        XCTAssertTrue(region.inbox.post(step(2)))
        XCTAssertEqual(try worker.receive(timeout: 1), step(2))
        try worker.send(WireMessage(run: 1, .heartbeat).encoded())
        try worker.send(reply(2))
        XCTAssertEqual(region.outbox.take(after: &outboxSeen), reply(2), "an inbox order is answered through the outbox")
        XCTAssertEqual(try coordinator.receive(timeout: 1)?.message, WireMessage(run: 1, .heartbeat).encoded(), "heartbeats stay on ZeroMQ")
        XCTAssertNil(try worker.receive(timeout: 0.01))
    }
}
