import Foundation

/// The coordinator's transport with a mailbox lane per worker that has mapped its shared
/// region: step orders go into the worker's inbox and replies come from its outbox, with
/// no ZeroMQ I/O thread on the way; every other message goes through the inner transport.
///
/// Order is kept: once anything but a heartbeat or a step has gone to a worker through
/// ZeroMQ (shards, say), its steps go through ZeroMQ too, behind it, until the worker has
/// answered the last of them; only then can a mailbox order not overtake it.
final class MailboxCoordinatorTransport: CoordinatorTransport {
    let inner: CoordinatorTransport
    /// Seconds a wait for mailbox replies polls without sleeping before it sleeps on a futex.
    var spin: Double
    /// While sleeping on one mailbox, ZeroMQ is looked at this often.
    static let slice = 0.001

    final class Lane {
        let region: SharedRegion
        var seen: UInt32
        /// The step number of the last order posted whose reply has not been taken. A redone
        /// step posts again before the first reply came; that late reply must not end the wait.
        var awaiting: UInt64?
        /// While ordered messages went through ZeroMQ, the step number of the last order sent
        /// behind them (0 before one is), and nil when the mailbox may be used.
        var behindZeroMQ: UInt64?
        init(region: SharedRegion) {
            self.region = region
            seen = region.outbox.currentSequence
        }
    }

    private var lanes: [Peer: Lane] = [:]

    init(inner: CoordinatorTransport, spin: Double) {
        self.inner = inner
        self.spin = spin
    }

    /// From now on, steps to `peer` may go through `region`'s mailboxes.
    func attach(_ region: SharedRegion, for peer: Peer) { lanes[peer] = Lane(region: region) }

    func detach(_ peer: Peer) { lanes[peer] = nil }

    func send(_ message: [UInt8], to peer: Peer) throws {
        let kind = message.count > 6 ? WireMessage.Kind(rawValue: message[6]) : nil
        if let lane = lanes[peer] {
            if kind == .step {
                if lane.behindZeroMQ == nil && lane.region.inbox.post(message) {
                    lane.awaiting = WireMessage.peekStep(message)
                    return
                }
                if lane.behindZeroMQ != nil { lane.behindZeroMQ = WireMessage.peekStep(message) }
            } else if kind != .heartbeat {
                lane.behindZeroMQ = 0
            }
        }
        try inner.send(message, to: peer)
    }

    func receive(timeout: Double) throws -> (peer: Peer, message: [UInt8])? {
        guard lanes.values.contains(where: { $0.awaiting != nil }) else { return try note(inner.receive(timeout: timeout)) }
        let start = Clock.now()
        let deadline = start + max(0, timeout)
        while true {
            for (peer, lane) in lanes where lane.awaiting != nil {
                if let message = lane.region.outbox.take(after: &lane.seen) {
                    if WireMessage.peekStep(message) == lane.awaiting { lane.awaiting = nil }
                    return (peer, message)
                }
            }
            if let arrived = try note(inner.receive(timeout: 0)) { return arrived }
            let now = Clock.now()
            if now >= deadline { return nil }
            if now - start < spin {
                sched_yield()
            } else if let lane = lanes.values.first(where: { $0.awaiting != nil }) {
                lane.region.outbox.wait(after: lane.seen, timeout: min(deadline - now, Self.slice))
            } else {
                return try note(inner.receive(timeout: deadline - now))
            }
        }
    }

    /// Lets a lane use its mailbox again once the worker answered the order that went
    /// through ZeroMQ behind ordered messages.
    private func note(_ arrived: (peer: Peer, message: [UInt8])?) -> (peer: Peer, message: [UInt8])? {
        if let (peer, message) = arrived, let lane = lanes[peer], let step = lane.behindZeroMQ,
           message.count > 6, message[6] == WireMessage.Kind.gradient.rawValue, WireMessage.peekStep(message) == step {
            lane.behindZeroMQ = nil
        }
        return arrived
    }
}

/// A worker's transport with the mailboxes of its shared region: it takes orders from the
/// inbox as well as from ZeroMQ, and answers an order the way it came.
final class MailboxWorkerTransport: WorkerTransport {
    let inner: WorkerTransport
    /// Seconds a receive polls without sleeping before it sleeps on the inbox's futex.
    static let spin = 0.002
    /// While sleeping on the inbox, ZeroMQ is looked at this often.
    static let slice = 0.005

    private var region: SharedRegion?
    private var seen: UInt32 = 0
    private var lastFromInbox = false

    init(inner: WorkerTransport) { self.inner = inner }

    func attach(_ region: SharedRegion?) {
        self.region = region
        seen = region?.inbox.currentSequence ?? 0
        lastFromInbox = false
    }

    func send(_ message: [UInt8]) throws {
        if lastFromInbox, let region, message.count > 6, message[6] == WireMessage.Kind.gradient.rawValue, region.outbox.post(message) {
            lastFromInbox = false
            return
        }
        try inner.send(message)
    }

    func receive(timeout: Double) throws -> [UInt8]? {
        guard let region else { return try inner.receive(timeout: timeout) }
        let start = Clock.now()
        let deadline = start + max(0, timeout)
        while true {
            if let message = region.inbox.take(after: &seen) {
                lastFromInbox = true
                return message
            }
            if let message = try inner.receive(timeout: 0) {
                lastFromInbox = false
                return message
            }
            let now = Clock.now()
            if now >= deadline { return nil }
            if now - start < Self.spin {
                sched_yield()
            } else {
                region.inbox.wait(after: seen, timeout: min(deadline - now, Self.slice))
            }
        }
    }
}
