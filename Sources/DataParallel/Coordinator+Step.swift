import Foundation
import NeuralNetwork

/// Every worker is gone mid-run: dropped, left, or silent (as when the coordinator itself was
/// stopped, SIGSTOP, for longer than the workers' timeout). The run can go on from a checkpoint.
public struct WorkersLost: Error, CustomStringConvertible {
    public let position: StepPosition
    public let lastReason: String?
    /// Whether the last worker was dropped for NaN or infinite gradients: the training diverged.
    public let allNonFinite: Bool

    public var description: String {
        let hint = allNonFinite
            ? "the last gradients were NaN or infinite, so the training diverged: lower --lr"
            : "start workers again and resume from a checkpoint"
        return "no workers left at epoch \(position.epoch + 1), step \(position.step + 1): every worker failed, left or fell silent (last: \(lastReason ?? "none joined")); \(hint)"
    }
}

extension Coordinator {
    /// Why an attempt at a step is given up and the step computed again: a worker was lost
    /// (dropped, with this reason), and its shards move to the others first.
    struct Redo: Error {
        let reason: String
    }

    /// The orders of one attempt: its number, the time it went out, and what each worker owes.
    struct Orders {
        let number: UInt64
        let position: StepPosition
        /// The attempt whose all-gather the workers compute with (the sliced exchange), if any.
        let basis: UInt64?
        let sent: Double
        let assignments: [Peer: Assignment]
        /// In rank order (the sliced exchange's owners).
        let all: [Assignment]
        var ranks: [Peer] { all.map(\.peer) }
    }

    /// One step: admit workers waiting to join, then attempt it, phase by phase (send,
    /// collect, validate each reply, reduce), until an attempt is not redone.
    public func compute(_ input: StepInput) throws -> StepResult {
        while true {
            try pollAbort()
            drainWithoutWaiting()
            admitPending()
            // A worker may have left or joined while we drained (a goodbye between steps):
            // blocks follow the active workers, so shards move before the step is sent.
            if blocksChanged {
                rebalance()
                ahead = nil
            }
            guard !workers.isEmpty else { throw WorkersLost(position: input.position, lastReason: lastDropReason, allNonFinite: droppedForNonFinite) }
            let start = Clock.now()
            do {
                let orders: Orders
                if let ahead, ahead.position == input.position {
                    orders = ahead
                } else {
                    orders = try send(input)
                }
                ahead = nil
                let result = try collect(orders, started: start, input: input)
                exchange.succeeded(number: orders.number, workers: orders.ranks)
                return result
            } catch let redo as Redo {
                exchange.abandoned()
                ahead = nil
                mark("step computed again", args: ["reason": redo.reason])
                departures.redoneSteps += 1
                log("epoch \(input.position.epoch + 1), step \(input.position.step + 1) is computed again: \(redo.reason)")
            }
        }
    }

    /// Handles whatever has arrived, without blocking; what belongs to the attempt ordered
    /// ahead is kept for it.
    func drainWithoutWaiting() {
        while let (peer, arrival) = try? transport.receive(timeout: 0) {
            if !keptForAhead(peer, arrival) { handleOutOfStep(peer: peer, arrival: arrival, now: Clock.now()) }
        }
    }

    /// Send: each worker gets its order, as the exchange makes them: the nodes of its block,
    /// and the parameters or its slice. Every attempt has its own order number, which replies
    /// echo, so that a late reply to an earlier attempt of the same step (before a worker
    /// was dropped) is told apart.
    func send(_ input: StepInput) throws -> Orders {
        let sendStart = Clock.now()
        defer { timeline?.span("send", category: "communication", track: Timeline.coordinatorTrack, from: sendStart, to: Clock.now()) }
        nextOrder += 1
        let active = workers
        let blocks = active.indices.map { w in tree.nodes(covering: Plan.block(worker: w, of: active.count, shards: plan.shardCount)) }
        let all = exchange.assignments(number: nextOrder, input: input,
                                       workers: active.map { ($0.peer, $0.link ?? PeerLink(address: "", key: [])) }, blocks: blocks)
        for a in all {
            do {
                try transport.send(WireMessage(run: configuration.runID, step: nextOrder, .step(a.order)), to: a.peer)
            } catch {
                drop(a.peer, reason: "cannot send to it (\(error))")
                throw Redo(reason: "a worker could not be sent the step")
            }
        }
        let basis = all.first { !$0.order.owners.isEmpty && $0.order.parameters == nil }?.order.basis
        return Orders(number: nextOrder, position: input.position, basis: basis,
                      sent: Clock.now(), assignments: Dictionary(uniqueKeysWithValues: all.map { ($0.peer, $0) }),
                      all: all)
    }

    /// Collect: waits for every worker's reply, validates it and keeps it; throws `Redo` as
    /// soon as a worker it waits for is lost.
    func collect(_ orders: Orders, started: Double, input: StepInput) throws -> StepResult {
        var replies: [Peer: WireMessage.GradientReply] = [:]
        var done: [Peer: BatchStatistics] = [:]
        // What arrived for these orders while they were the ones ordered ahead.
        var kept = aheadArrivals[...]
        aheadArrivals = []
        var firstReply: Double?
        var lastReply = orders.sent
        var slowestCompute = 0.0
        var complaints = Complaints()
        while replies.count < orders.assignments.count {
            // Workers that have replied hear from us while we wait for a slow one, or they
            // would reach their own timeout just as we drop it.
            keepAlive()
            // Each owes its reply within the heartbeat timeout of the order. Its heartbeats do
            // not extend that: a worker heartbeats only while idle, so one that does after the
            // order has lost or ignored it, and would otherwise stay on forever. (A link too
            // slow to carry the order in time also delays our heartbeats: the worker itself
            // gives up at the same timeout.)
            let now = Clock.now()
            // Orders sent ahead count from when their step began here.
            let deadline = max(orders.sent, started) + configuration.heartbeatTimeout
            // At the deadline, complaints (however few came) say whom to blame better than
            // silence does: the complainers are alive, waiting for the one they name.
            if now >= deadline, let verdict = complaints.verdict(now: .infinity, ranks: orders.ranks) {
                judge(verdict, orders: orders)
                throw Redo(reason: "a worker could not reach another")
            }
            if now >= deadline {
                // Every worker still owing its reply goes at once: several that joined and
                // never answer cost one timeout, not one each.
                for late in orders.assignments.keys where replies[late] == nil {
                    let heard = members.first { $0.peer == late }?.lastHeard ?? orders.sent
                    drop(late, reason: heard > orders.sent
                        ? String(format: "it is alive but has not answered the step sent %.1f s ago (timeout %.1f s)", now - orders.sent, configuration.heartbeatTimeout)
                        : String(format: "no reply for %.1f s (timeout %.1f s)", now - orders.sent, configuration.heartbeatTimeout))
                }
                throw Redo(reason: "workers did not answer in time")
            }
            if let verdict = complaints.verdict(now: now, ranks: orders.ranks) {
                judge(verdict, orders: orders)
                throw Redo(reason: "a worker could not reach another")
            }
            try pollAbort()
            let wake = min(deadline, complaints.judgeAt ?? deadline) - now
            guard let (peer, arrival) = try kept.popFirst() ?? transport.receive(timeout: min(wake, configuration.heartbeatInterval)) else { continue }
            let arrived = Clock.now()
            // A complaint may come from a worker that has replied already (its slice is
            // reduced, another's is what it misses), or be about the attempt these orders build
            // on (a slice of it never came, so the worker cannot start this one).
            if orders.assignments[peer] != nil, case .message(let message) = arrival, message.run == configuration.runID,
               message.step == orders.number || (message.step != 0 && message.step == orders.basis),
               case .unreachable(let ranks) = message.body {
                let named = ranks.filter { orders.ranks.indices.contains($0) }.map { orders.ranks[$0] }
                complaints.add(from: peer, naming: Set(named).subtracting([peer]), now: arrived,
                               window: configuration.heartbeatTimeout / 4)
                continue
            }
            if keptForAhead(peer, arrival) { continue }
            guard let assignment = orders.assignments[peer], replies[peer] == nil, let worker = workers.first(where: { $0.peer == peer }) else {
                handleOutOfStep(peer: peer, arrival: arrival, now: arrived)
                try redoIfLost(orders, except: replies)
                continue
            }
            worker.lastHeard = arrived
            guard case .message(let message) = arrival, message.run == configuration.runID else {
                if case .refused(let refusal) = arrival {
                    drop(peer, reason: "it sent an undecodable message during a step: \(refusal)", nonFinite: refusal.isNonFinite)
                }
                else { handleOutOfStep(peer: peer, arrival: arrival, now: arrived) }
                try redoIfLost(orders, except: replies)
                continue
            }
            switch message.body {
            case .gradient(let reply) where message.step == orders.number:
                if let problem = validate(reply, expected: assignment) {
                    drop(peer, reason: "bad gradient: \(problem)")
                    throw Redo(reason: "a worker sent a bad gradient")
                }
                worker.phase = .active(worker.held)
                replies[peer] = reply
                recordReply(reply, from: worker, orders: orders, arrived: arrived)
                firstReply = firstReply ?? arrived
                lastReply = arrived
                slowestCompute = max(slowestCompute, reply.computeSeconds)
            case .error(let reason) where message.step == orders.number:
                drop(peer, reason: "it could not do the step: \(escapedForLog(reason))")
                throw Redo(reason: "a worker could not do the step")
            case .done(let statistics) where message.step == orders.number:
                done[peer] = statistics
                if done.count == orders.assignments.count, let first = done.values.first, done.values.allSatisfy({ $0 == first }) {
                    try orderAhead(after: input, number: orders.number, ranks: orders.ranks)
                }
            case .gradient, .unreachable, .error, .done:
                continue // about an attempt that was redone
            default:
                handleOutOfStep(peer: peer, arrival: arrival, now: arrived)
                try redoIfLost(orders, except: replies)
            }
        }
        // Every reply is in, but a worker said it misses an owner's slice: it could not
        // compute the next step with the parameters the others have.
        if let verdict = complaints.verdict(now: .infinity, ranks: orders.ranks) {
            judge(verdict, orders: orders)
            throw Redo(reason: "a worker could not reach another")
        }
        var result: StepResult
        switch exchange.sums(replies, of: orders.all) {
        case .success(let sums):
            result = StepResult(sums: sums)
        case .failure(let mismatch):
            drop(mismatch.peer, reason: "bad gradient: \(mismatch.reason)")
            throw Redo(reason: "a worker sent a bad gradient")
        }
        timeline?.span("wait for replies", category: "wait", track: Timeline.coordinatorTrack, from: max(orders.sent, started), to: lastReply)
        result.workers = orders.ranks.compactMap { peer in
            guard let reply = replies[peer], let name = members.first(where: { $0.peer == peer })?.name else { return nil }
            return WorkerStep(name: name, computeSeconds: reply.computeSeconds,
                              waitingSeconds: max(0, reply.sent - reply.received - reply.computeSeconds),
                              bytesSent: reply.bytesSent, bytesReceived: reply.bytesReceived)
        }
        let wall = lastReply - started
        result.computeSeconds = slowestCompute
        result.waitSeconds = max(0, lastReply - (firstReply ?? lastReply))
        result.communicationSeconds = max(0, wall - slowestCompute - result.waitSeconds)
        return result
    }

    /// Throws `Redo` if a worker this attempt still waits for has been dropped.
    func redoIfLost(_ orders: Orders, except replied: [Peer: WireMessage.GradientReply]) throws {
        let active = Set(workers.map(\.peer))
        if orders.assignments.keys.contains(where: { replied[$0] == nil && !active.contains($0) }) {
            throw Redo(reason: "a worker was lost during the step")
        }
    }

    /// Validate: why a gradient reply cannot be used, or nil. Its sums are finite already:
    /// the transport refuses frames with NaN or ±∞ as it decodes them.
    func validate(_ reply: WireMessage.GradientReply, expected: Assignment) -> String? {
        guard reply.nodes.map(\.node) == expected.replyNodes else {
            let got = reply.nodes.map { "\($0.node.first)+\($0.node.size)" }.joined(separator: ",")
            let want = expected.replyNodes.map { "\($0.first)+\($0.size)" }.joined(separator: ",")
            return "it sent nodes [\(got)], it was given [\(want)]"
        }
        guard reply.first == expected.replyFirst else {
            return "its sums start at parameter \(reply.first), its part starts at \(expected.replyFirst)"
        }
        for n in reply.nodes {
            let s = n.statistics
            let maximum = n.node.size * plan.microBatch
            guard s.count >= 0, s.count <= maximum, s.correct >= 0, s.correct <= s.count else {
                return "node \(n.node.first)+\(n.node.size) claims \(s.count) samples and \(s.correct) correct (at most \(maximum))"
            }
            guard n.values.count == (s.count == 0 ? 0 : expected.replyCount) else {
                let asked = expected.replyCount == architecture.parameterCount
                    ? "the model has \(expected.replyCount) parameters" : "its slice has \(expected.replyCount)"
                return "node \(n.node.first)+\(n.node.size) has \(n.values.count) values, \(asked)"
            }
            guard s.lossSum.isFinite, s.lossSum >= 0 else {
                return "node \(n.node.first)+\(n.node.size) has a NaN, infinite or negative loss sum (\(s.lossSum))"
            }
        }
        return nil
    }
}

