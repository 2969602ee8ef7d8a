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

    /// The orders of one attempt: its number, the time it went out, and the nodes each
    /// worker owes.
    struct Orders {
        let number: UInt64
        let sent: Double
        let nodes: [Peer: [TreeNode]]
    }

    /// One step: admit workers waiting to join, then attempt it, phase by phase (send,
    /// collect, validate each reply, reduce), until an attempt is not redone.
    public func compute(_ position: StepPosition, parameters: [Float]) throws -> StepResult {
        while true {
            try pollAbort()
            drainWithoutWaiting()
            admitPending()
            // A worker may have left or joined while we drained (a goodbye between steps):
            // blocks follow the active workers, so shards move before the step is sent.
            if blocksChanged { rebalance() }
            guard !workers.isEmpty else { throw WorkersLost(position: position, lastReason: lastDropReason, allNonFinite: droppedForNonFinite) }
            let start = Clock.now()
            do {
                let orders = try send(position, parameters: parameters)
                return try collect(orders, started: start)
            } catch let redo as Redo {
                log("epoch \(position.epoch + 1), step \(position.step + 1) is computed again: \(redo.reason)")
            }
        }
    }

    /// Handles whatever has arrived, without blocking.
    func drainWithoutWaiting() {
        while let (peer, arrival) = try? transport.receive(timeout: 0) {
            handleOutOfStep(peer: peer, arrival: arrival, now: Clock.now())
        }
    }

    /// Send: each worker gets the parameters and the nodes of its block. Every
    /// attempt has its own order number, which replies echo, so that a late reply to an
    /// earlier attempt of the same step (before a worker was dropped) is told apart.
    func send(_ position: StepPosition, parameters: [Float]) throws -> Orders {
        nextOrder += 1
        var nodes: [Peer: [TreeNode]] = [:]
        let active = workers
        for (w, worker) in active.enumerated() {
            let block = tree.nodes(covering: Plan.block(worker: w, of: active.count, shards: plan.shardCount))
            nodes[worker.peer] = block
            // The same `parameters` array for every worker: its storage is shared by their frames.
            // A worker without shards (more workers than shards) is asked for nothing, and
            // answers all the same: one that never answers is found in this attempt, with the others.
            let step = WireMessage(run: configuration.runID, step: nextOrder,
                                   .step(.init(position: position, nodes: block, parameters: block.isEmpty ? [] : parameters)))
            do {
                try transport.send(step, to: worker.peer)
            } catch {
                drop(worker.peer, reason: "cannot send to it (\(error))")
                throw Redo(reason: "a worker could not be sent the step")
            }
        }
        return Orders(number: nextOrder, sent: Clock.now(), nodes: nodes)
    }

    /// Collect: waits for every worker's reply, validates it and keeps its sums; throws
    /// `Redo` as soon as a worker it waits for is lost.
    func collect(_ orders: Orders, started: Double) throws -> StepResult {
        var result = StepResult(sums: [:])
        var replied: Set<Peer> = []
        var firstReply: Double?
        var lastReply = orders.sent
        var slowestCompute = 0.0
        while replied.count < orders.nodes.count {
            // Workers that have replied hear from us while we wait for a slow one, or they
            // would reach their own timeout just as we drop it.
            keepAlive()
            // Each owes its reply within the heartbeat timeout of the order. Its heartbeats do
            // not extend that: a worker heartbeats only while idle, so one that does after the
            // order has lost or ignored it, and would otherwise stay on forever. (A link too
            // slow to carry the order in time also delays our heartbeats: the worker itself
            // gives up at the same timeout.)
            let now = Clock.now()
            let deadline = orders.sent + configuration.heartbeatTimeout
            if now >= deadline {
                // Every worker still owing its reply goes at once: several that joined and
                // never answer cost one timeout, not one each.
                for late in orders.nodes.keys where !replied.contains(late) {
                    let heard = members.first { $0.peer == late }?.lastHeard ?? orders.sent
                    drop(late, reason: heard > orders.sent
                        ? String(format: "it is alive but has not answered the step sent %.1f s ago (timeout %.1f s)", now - orders.sent, configuration.heartbeatTimeout)
                        : String(format: "no reply for %.1f s (timeout %.1f s)", now - orders.sent, configuration.heartbeatTimeout))
                }
                throw Redo(reason: "workers did not answer in time")
            }
            try pollAbort()
            guard let (peer, arrival) = try transport.receive(timeout: min(deadline - now, configuration.heartbeatInterval)) else { continue }
            let arrived = Clock.now()
            guard let nodes = orders.nodes[peer], !replied.contains(peer), let worker = workers.first(where: { $0.peer == peer }) else {
                handleOutOfStep(peer: peer, arrival: arrival, now: arrived)
                try redoIfLost(orders, except: replied)
                continue
            }
            worker.lastHeard = arrived
            guard case .message(let message) = arrival, message.run == configuration.runID else {
                if case .refused(let refusal) = arrival {
                    drop(peer, reason: "it sent an undecodable message during a step: \(refusal)", nonFinite: refusal.isNonFinite)
                }
                else { handleOutOfStep(peer: peer, arrival: arrival, now: arrived) }
                try redoIfLost(orders, except: replied)
                continue
            }
            guard case .gradient(let reply) = message.body else {
                handleOutOfStep(peer: peer, arrival: arrival, now: arrived)
                try redoIfLost(orders, except: replied)
                continue
            }
            guard message.step == orders.number else { continue } // a late reply to an attempt that was redone
            if let problem = validate(reply, expected: nodes) {
                drop(peer, reason: "bad gradient: \(problem)")
                throw Redo(reason: "a worker sent a bad gradient")
            }
            for n in reply.nodes {
                result.sums[n.node] = GradientSum(values: n.values, statistics: n.statistics)
            }
            worker.phase = .active(worker.held)
            replied.insert(peer)
            firstReply = firstReply ?? arrived
            lastReply = arrived
            slowestCompute = max(slowestCompute, reply.computeSeconds)
        }
        let wall = lastReply - started
        result.computeSeconds = slowestCompute
        result.waitSeconds = max(0, lastReply - (firstReply ?? lastReply))
        result.communicationSeconds = max(0, wall - slowestCompute - result.waitSeconds)
        return result
    }

    /// Throws `Redo` if a worker this attempt still waits for has been dropped.
    func redoIfLost(_ orders: Orders, except replied: Set<Peer>) throws {
        let active = Set(workers.map(\.peer))
        if orders.nodes.keys.contains(where: { !replied.contains($0) && !active.contains($0) }) {
            throw Redo(reason: "a worker was lost during the step")
        }
    }

    /// Validate: why a gradient reply cannot be used, or nil. Its sums are finite already:
    /// the transport refuses frames with NaN or ±∞ as it decodes them.
    func validate(_ reply: WireMessage.GradientReply, expected: [TreeNode]) -> String? {
        guard reply.nodes.map(\.node) == expected else {
            let got = reply.nodes.map { "\($0.node.first)+\($0.node.size)" }.joined(separator: ",")
            let want = expected.map { "\($0.first)+\($0.size)" }.joined(separator: ",")
            return "it sent nodes [\(got)], it was given [\(want)]"
        }
        let p = architecture.parameterCount
        for n in reply.nodes {
            let s = n.statistics
            let maximum = n.node.size * plan.microBatch
            guard s.count >= 0, s.count <= maximum, s.correct >= 0, s.correct <= s.count else {
                return "node \(n.node.first)+\(n.node.size) claims \(s.count) samples and \(s.correct) correct (at most \(maximum))"
            }
            guard n.values.count == (s.count == 0 ? 0 : p) else {
                return "node \(n.node.first)+\(n.node.size) has \(n.values.count) values, the model has \(p) parameters"
            }
            guard s.lossSum.isFinite, s.lossSum >= 0 else {
                return "node \(n.node.first)+\(n.node.size) has a NaN, infinite or negative loss sum (\(s.lossSum))"
            }
        }
        return nil
    }
}
