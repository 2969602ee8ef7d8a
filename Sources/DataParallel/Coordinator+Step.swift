import Foundation
import NeuralNetwork

extension Coordinator {
    /// One step: admit workers waiting to join, send each active worker the parameters and
    /// its nodes, and collect the sums. When a worker fails, it is dropped and the step is
    /// computed again by the others.
    public func compute(_ position: StepPosition, parameters: [Float]) throws -> StepResult {
        while true {
            try pollAbort()
            drainWithoutWaiting()
            admitPending()
            // A worker may have left or joined while we drained (a goodbye between steps):
            // blocks follow the active workers, so shards move before the step is sent.
            if blocksChanged { rebalance() }
            guard !workers.isEmpty else {
                throw TrainingError("no workers left at epoch \(position.epoch + 1), step \(position.step + 1): every worker failed or left (last: \(lastDropReason ?? "none joined")). If every gradient was NaN, the training diverged: lower --lr.")
            }
            if let result = try attempt(position, parameters: parameters) { return result }
        }
    }

    /// Handles whatever has arrived, without blocking.
    func drainWithoutWaiting() {
        while let (peer, bytes) = try? transport.receive(timeout: 0) {
            handleOutOfStep(peer: peer, bytes: bytes, now: Clock.now())
        }
    }

    /// Sends the step and collects replies; nil when some worker failed (and was dropped).
    func attempt(_ position: StepPosition, parameters: [Float]) throws -> StepResult? {
        let start = Clock.now()
        // Every attempt has its own order number, which replies echo: a late reply to an
        // earlier attempt of the same step (before a worker was dropped) is told apart.
        nextOrder += 1
        let order = nextOrder
        var expected: [Peer: [TreeNode]] = [:]
        for (w, worker) in workers.enumerated() {
            let nodes = tree.nodes(covering: Plan.block(worker: w, of: workers.count, shards: plan.shardCount))
            guard !nodes.isEmpty else { continue }
            expected[worker.peer] = nodes
            let step: WireMessage.StepOrder
            if worker.regionMapped, let region = worker.region {
                // The worker is idle (it answered every order sent to it), so nobody reads these bytes now.
                parameters.withUnsafeBufferPointer { region.parameters.baseAddress!.update(from: $0.baseAddress!, count: region.parameterCount) }
                step = .init(position: position, nodes: nodes, parameters: [], parametersInRegion: true)
            } else {
                step = .init(position: position, nodes: nodes, parameters: parameters)
            }
            do {
                try transport.send(WireMessage(run: configuration.runID, step: order, .step(step)).encoded(), to: worker.peer)
            } catch {
                drop(worker.peer, reason: "cannot send to it (\(error))")
                return nil
            }
        }
        let sent = Clock.now()
        var result = StepResult(sums: [:])
        var replied: Set<Peer> = []
        var firstReply: Double?
        var lastReply = sent
        var slowestCompute = 0.0
        while replied.count < expected.count {
            // Workers that have replied hear from us while we wait for a slow one, or they
            // would reach their own timeout just as we drop it.
            keepAlive()
            // Each owes its reply within the heartbeat timeout of the order. Its heartbeats do
            // not extend that: a worker heartbeats only while idle, so one that does after the
            // order has lost or ignored it, and would otherwise stay on forever. (A link too
            // slow to carry the order in time also delays our heartbeats: the worker itself
            // gives up at the same timeout.)
            let now = Clock.now()
            let deadline = sent + configuration.heartbeatTimeout
            if now >= deadline, let late = expected.keys.first(where: { !replied.contains($0) }) {
                let heard = workers.first { $0.peer == late }?.lastHeard ?? sent
                drop(late, reason: heard > sent
                    ? String(format: "it is alive but has not answered the step sent %.1f s ago (timeout %.1f s)", now - sent, configuration.heartbeatTimeout)
                    : String(format: "no reply for %.1f s (timeout %.1f s)", now - sent, configuration.heartbeatTimeout))
                return nil
            }
            try pollAbort()
            guard let (peer, bytes) = try transport.receive(timeout: min(deadline - now, configuration.heartbeatInterval)) else { continue }
            let arrived = Clock.now()
            guard let nodes = expected[peer], !replied.contains(peer) else {
                handleOutOfStep(peer: peer, bytes: bytes, now: arrived)
                if lostAny(of: expected.keys, except: replied) { return nil }
                continue
            }
            guard let message = decode(peer: peer, bytes: bytes) else {
                drop(peer, reason: "it sent an undecodable message during a step")
                return nil
            }
            workers.first { $0.peer == peer }?.lastHeard = arrived
            guard case .gradient(let original) = message.body else {
                handleOutOfStep(peer: peer, bytes: bytes, now: arrived)
                if lostAny(of: expected.keys, except: replied) { return nil }
                continue
            }
            guard message.step == order else { continue } // a late reply to an attempt that was redone
            guard let worker = workers.first(where: { $0.peer == peer }) else { continue }
            let reply: WireMessage.GradientReply
            do {
                reply = try takeSums(of: original, from: worker)
            } catch {
                drop(peer, reason: "bad gradient: \(error)")
                return nil
            }
            if let problem = check(reply, expected: nodes) {
                drop(peer, reason: "bad gradient: \(problem)")
                return nil
            }
            for n in reply.nodes {
                result.sums[n.node] = GradientSum(values: n.values, statistics: n.statistics)
            }
            replied.insert(peer)
            firstReply = firstReply ?? arrived
            lastReply = arrived
            slowestCompute = max(slowestCompute, reply.computeSeconds)
        }
        let wall = lastReply - start
        result.computeSeconds = slowestCompute
        result.waitSeconds = max(0, lastReply - (firstReply ?? lastReply))
        result.communicationSeconds = max(0, wall - slowestCompute - result.waitSeconds)
        return result
    }

    /// The reply with its sums in hand: those the worker left in its region are read from
    /// there (one copy). Updates what the coordinator knows of the worker's region.
    func takeSums(of reply: WireMessage.GradientReply, from worker: WorkerState) throws -> WireMessage.GradientReply {
        switch reply.region {
        case .none:
            if let region = worker.region {
                log("worker \(worker.name) could not map its shared region \(region.path): its parameters and sums go through ZeroMQ")
                transport.detach(worker.peer)
                worker.region = nil
                worker.regionMapped = false
            }
            return reply
        case .mapped, .sums:
            guard let region = worker.region else {
                throw TrainingError("it says it uses a shared region, but it was offered none")
            }
            if !worker.regionMapped {
                worker.regionMapped = true
                region.unlink() // both sides hold a mapping; no name is left to leak on a crash
                transport.attach(region, for: worker.peer)
            }
            guard reply.region == .sums else { return reply }
            guard reply.nodes.count <= region.slots else {
                throw TrainingError("it says \(reply.nodes.count) sums are in its region, which has \(region.slots) slots")
            }
            var copy = reply
            for (i, node) in reply.nodes.enumerated() where node.statistics.count > 0 {
                // Checked as copied: what is checked is what is used, whatever the worker writes meanwhile.
                var finite = false
                copy.nodes[i].values = [Float](unsafeUninitializedCapacity: region.parameterCount) { target, initialized in
                    finite = Self.copyCheckingFinite(region.slot(i), to: target)
                    initialized = region.parameterCount
                }
                guard finite else { throw TrainingError("node \(node.node.first)+\(node.node.size) has NaN or infinite values") }
            }
            return copy
        }
    }

    /// Whether a worker this step still waits for has been dropped.
    func lostAny(of peers: Dictionary<Peer, [TreeNode]>.Keys, except replied: Set<Peer>) -> Bool {
        peers.contains { peer in !replied.contains(peer) && !workers.contains { $0.peer == peer } }
    }

    /// Whether no value is NaN or infinite.
    static func allFinite(_ values: [Float]) -> Bool {
        values.withUnsafeBufferPointer { checkFinite($0, copyingTo: nil) }
    }

    /// Copies `source` to `target` (of the same length); whether every value is finite.
    static func copyCheckingFinite(_ source: UnsafeMutableBufferPointer<Float>, to target: UnsafeMutableBufferPointer<Float>) -> Bool {
        precondition(source.count == target.count)
        return checkFinite(UnsafeBufferPointer(source), copyingTo: target)
    }

    /// v − v is 0 for every finite v and NaN for ±∞ and NaN, so the sum of those
    /// differences is 0 exactly when all values are finite. Unlike an integer test of the
    /// exponent bits (which needs SSE4.1's pmaxud, beyond the baseline x86-64 this builds
    /// for), this is plain vector float arithmetic: with the copy, 6 µs for 407 KB against
    /// 25 µs for the scalar loop.
    private static func checkFinite(_ source: UnsafeBufferPointer<Float>, copyingTo target: UnsafeMutableBufferPointer<Float>?) -> Bool {
        let n = source.count, blocks = n / 16
        guard let from = source.baseAddress.map(UnsafeRawPointer.init) else { return true }
        let to = target?.baseAddress.map(UnsafeMutableRawPointer.init)
        var differences = SIMD16<Float>(repeating: 0)
        for b in 0..<blocks {
            let v = from.loadUnaligned(fromByteOffset: b * 64, as: SIMD16<Float>.self)
            to?.storeBytes(of: v, toByteOffset: b * 64, as: SIMD16<Float>.self)
            differences += v - v
        }
        var rest: Float = 0
        for i in (blocks * 16)..<n {
            let v = source[i]
            target?[i] = v
            rest += v - v
        }
        return differences.sum() + rest == 0
    }

    /// Why a gradient reply cannot be used, or nil.
    func check(_ reply: WireMessage.GradientReply, expected: [TreeNode]) -> String? {
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
            // Sums read from a region were checked as they were copied.
            guard s.lossSum.isFinite, s.lossSum >= 0, reply.region == .sums || Self.allFinite(n.values) else {
                return "node \(n.node.first)+\(n.node.size) has NaN or infinite values"
            }
        }
        return nil
    }
}
