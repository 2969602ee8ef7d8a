import Foundation
import NeuralNetwork

/// One round of the sliced exchange on one worker: attempt `number` of a step.
///
/// 1. compute the sums of the order's nodes (as with the star);
/// 2. reduce-scatter: send each other owner those sums restricted to its slice;
/// 3. when every owner's part for this worker's slice is in, finish the fixed tree over
///    shard indices for the slice, apply the update to the slice and its optimiser state,
///    send the updated slice to every other owner (all-gather) and the reduced slice to
///    the coordinator, which applies the same update to its copy;
/// 4. when every other owner's updated slice is in, the round is over: this worker's
///    parameters are the next step's.
final class SliceRound {
    let number: UInt64
    let order: WireMessage.StepOrder
    let started: Double
    var computeSeconds = 0.0
    /// For the timeline: when the order arrived, and the compute spans.
    var received = 0.0
    var spans: [WireMessage.GradientReply.Span] = []
    /// The parts for this worker's slice, by the sender's rank (its own included).
    var parts: [Int: WireMessage.GradientReply] = [:]
    /// The other owners whose updated slices have arrived.
    var gathered: Set<Int> = []
    var updated = false
    var complained = false

    init(number: UInt64, order: WireMessage.StepOrder) {
        self.number = number
        self.order = order
        started = Clock.now()
    }

    var range: Range<Int> { order.owners[order.rank].range }
    var isComplete: Bool { updated && gathered.count == order.owners.count - 1 }

    /// Ranks whose part (before the update) or slice (after it) has not come.
    var missing: [Int] {
        order.owners.indices.filter { $0 != order.rank && (updated ? !gathered.contains($0) : parts[$0] == nil) }
    }
}

extension WorkerRunner {
    /// Starts the round of a sliced order, or queues it when it computes with the result of
    /// the round still in progress (whose last slices are on their way).
    func beginSliced(_ order: WireMessage.StepOrder, number: UInt64) throws {
        guard let (settings, architecture) = setup else { throw TrainingError("the coordinator sent a step before its welcome") }
        if let problem = problem(with: order, parameterCount: architecture.parameterCount, optimizer: settings.optimizerConfiguration) {
            throw TrainingError("the coordinator sent a malformed sliced step: \(problem)")
        }
        if let given = order.parameters {
            // The coordinator's exact state: whatever was in progress counts for nothing.
            parameters = given
            round = nil
            queued = nil
            completedRound = nil
        }
        if let state = order.state {
            sliceOptimizer = Optimizer(settings.optimizerConfiguration, firstMoment: state.firstMoment,
                                       secondMoment: state.secondMoment, step: state.step)
        }
        if order.parameters == nil {
            if let round, round.number == order.basis {
                queued = (order, number)
                return
            }
            guard completedRound == order.basis, sliceOptimizer != nil else {
                let have = completedRound.map { "round \($0)" } ?? "no finished round"
                try transport.send(WireMessage(run: runID, step: number, .error("the step order computes with the parameters of round \(order.basis), this worker has \(have)")))
                return
            }
        }
        try start(order, number: number)
    }

    /// Why a sliced order cannot be followed, or nil: the slices must tile the parameters
    /// in rank order, and the state must be the slice's.
    func problem(with order: WireMessage.StepOrder, parameterCount: Int, optimizer: OptimizerConfiguration) -> String? {
        guard order.owners.indices.contains(order.rank) else { return "rank \(order.rank) of \(order.owners.count) owners" }
        var next = 0
        for owner in order.owners {
            guard owner.range.lowerBound == next else { return "the slices do not tile the parameters (one starts at \(owner.range.lowerBound), not \(next))" }
            next = owner.range.upperBound
        }
        guard next == parameterCount else { return "the slices cover \(next) parameters, the model has \(parameterCount)" }
        if let p = order.parameters, p.count != parameterCount { return "\(p.count) parameters, the model has \(parameterCount)" }
        if let state = order.state {
            let n = order.owners[order.rank].range.count
            let first = optimizer.kind == .sgd ? 0 : n, second = optimizer.kind == .adam ? n : 0
            guard state.firstMoment.count == first, state.secondMoment.count == second, state.step >= 0 else {
                return "optimiser state of \(state.firstMoment.count)+\(state.secondMoment.count) values for a slice of \(n)"
            }
        }
        return nil
    }

    func start(_ order: WireMessage.StepOrder, number: UInt64) throws {
        let (sums, seconds) = try computeSums(order, parameters: parameters)
        let round = SliceRound(number: number, order: order)
        round.computeSeconds = seconds
        round.received = orderArrived
        round.spans = lastSpans
        self.round = round
        transport.setPeers(order.owners.enumerated().filter { $0.offset != order.rank }.map(\.element.link))
        for (r, owner) in order.owners.enumerated() {
            let nodes = sums.map { node, sum in
                WireMessage.GradientReply.Node(node: node, statistics: sum.statistics,
                                               values: sum.statistics.count == 0 ? [] : Array(sum.values[owner.range]))
            }
            let part = WireMessage.GradientReply(nodes: nodes, first: owner.range.lowerBound, computeSeconds: seconds)
            if r == order.rank {
                round.parts[r] = part
            } else {
                try transport.send(WireMessage(run: runID, step: number, .part(.init(rank: order.rank, sums: part))), to: owner.link)
            }
        }
        let waiting = early.filter { $0.message.step == number }
        early.removeAll { $0.message.step <= number }
        for (message, key) in waiting { take(message, key: key) }
        try advance()
    }

    /// Reduces and updates once every part is in; ends the round once every slice is.
    func advance() throws {
        guard let round, let welcome, let (settings, _) = setup else { return }
        if !round.updated && round.parts.count == round.order.owners.count {
            let tree = ReductionTree(shardCount: welcome.shardCount)
            var known: [TreeNode: GradientSum] = [:]
            for part in round.parts.values {
                for n in part.nodes { known[n.node] = GradientSum(values: n.values, statistics: n.statistics) }
            }
            let total = tree.reduce(tree.root, known: known) { _ in nil }
            let statistics = total?.statistics ?? BatchStatistics()
            let range = round.range
            if let total, statistics.count > 0 {
                var optimizer = sliceOptimizer ?? Optimizer(settings.optimizerConfiguration, parameterCount: range.count)
                parameters.withUnsafeMutableBufferPointer { all in
                    total.values.withUnsafeBufferPointer { g in
                        optimizer.update(parameters: UnsafeMutableBufferPointer(rebasing: all[range]), gradientSum: g,
                                         count: statistics.count, learningRateScale: round.order.learningRateScale)
                    }
                }
                sliceOptimizer = optimizer
            }
            round.updated = true
            // The slice to the others first: the next step computes with it. Then "done" to
            // the coordinator, which orders the next step once every owner is, and the reduced
            // slice after it, which travels to the coordinator while the next step computes.
            let slice = WireMessage(run: runID, step: round.number,
                                    .slice(.init(rank: round.order.rank, first: range.lowerBound, values: Array(parameters[range]))))
            for (r, owner) in round.order.owners.enumerated() where r != round.order.rank {
                try transport.send(slice, to: owner.link)
            }
            try transport.send(WireMessage(run: runID, step: round.number, .done(statistics)))
            let node = WireMessage.GradientReply.Node(node: tree.root, statistics: statistics,
                                                      values: statistics.count > 0 ? total!.values : [])
            try transport.send(WireMessage(run: runID, step: round.number,
                                           .gradient(stamped(.init(nodes: [node], first: range.lowerBound, computeSeconds: round.computeSeconds,
                                                                   received: round.received, sent: now(), spans: round.spans)))))
        }
        guard round.isComplete else { return }
        completedRound = round.number
        self.round = nil
        stepsComputed += 1
        if let (order, number) = queued, order.basis == round.number {
            queued = nil
            try start(order, number: number)
        }
    }

    /// A message on the peer socket: a part or slice of the round in progress is taken, one
    /// of a later round kept for it, anything else refused with a logged reason.
    func handlePeer(_ arrival: Arrival, key: [UInt8]) {
        guard case .message(let message) = arrival else {
            if case .refused(let refusal) = arrival { refusePeer("\(refusal)") }
            return
        }
        guard welcome != nil, message.run == runID else { return refusePeer("a message of run \(message.run), this worker is in run \(runID)") }
        switch message.body {
        case .part, .slice:
            let current = round?.number ?? completedRound ?? 0
            if let round, message.step == round.number {
                take(message, key: key)
                do { try advance() } catch { log("could not finish round \(round.number): \(error)") }
            } else if message.step > current || round == nil {
                // A faster worker's message for an order that has not reached us yet.
                early.append((message, key))
                if early.count > 4096 { early.removeFirst(early.count - 4096) }
            }
        default:
            refusePeer("a \(message.body.kind) message is not for a worker's peer socket")
        }
    }

    /// Takes a part or a slice of the round in progress, if it is what its sender owes and
    /// the sender proved the key the coordinator listed for the rank it claims.
    func take(_ message: WireMessage, key: [UInt8]) {
        guard let round, let welcome else { return }
        let owners = round.order.owners
        let claimed: Int
        switch message.body {
        case .part(let part): claimed = part.rank
        case .slice(let update): claimed = update.rank
        default: return
        }
        guard owners.indices.contains(claimed), owners[claimed].link.key == key else {
            return refusePeer("a message claiming rank \(claimed) from a sender whose key is not that owner's: not a current member of the run")
        }
        switch message.body {
        case .part(let part):
            guard owners.indices.contains(part.rank), part.rank != round.order.rank, round.parts[part.rank] == nil else {
                return refusePeer("a part from rank \(part.rank), which owes none")
            }
            let expected = ReductionTree(shardCount: welcome.shardCount)
                .nodes(covering: Plan.block(worker: part.rank, of: owners.count, shards: welcome.shardCount))
            let n = round.range.count
            guard part.sums.nodes.map(\.node) == expected, part.sums.first == round.range.lowerBound,
                  part.sums.nodes.allSatisfy({ $0.values.count == ($0.statistics.count == 0 ? 0 : n) && $0.statistics.count >= 0 })
            else { return refusePeer("a part from rank \(part.rank) that is not its block's sums for this slice") }
            round.parts[part.rank] = part.sums
        case .slice(let update):
            guard owners.indices.contains(update.rank), update.rank != round.order.rank, !round.gathered.contains(update.rank),
                  update.first == owners[update.rank].range.lowerBound, update.values.count == owners[update.rank].range.count
            else { return refusePeer("a slice from rank \(update.rank) that is not its slice") }
            parameters.replaceSubrange(owners[update.rank].range, with: update.values)
            round.gathered.insert(update.rank)
        default:
            break
        }
    }

    /// Tells the coordinator which owners have not been heard from, once per round, when half
    /// the heartbeat timeout has passed: it can drop the one at fault and redo the step
    /// before anybody's timeout.
    func complainIfPeersLate() throws {
        guard let round, !round.complained, let welcome, Clock.now() - round.started >= welcome.heartbeatTimeout / 2 else { return }
        let missing = round.missing
        guard !missing.isEmpty else { return }
        round.complained = true
        let names = missing.map { round.order.owners[$0].link.address }.joined(separator: ", ")
        log("round \(round.number): no word from \(names) after \(String(format: "%.1f", Clock.now() - round.started)) s; telling the coordinator")
        try transport.send(WireMessage(run: runID, step: round.number, .unreachable(missing)))
    }

    func refusePeer(_ reason: String) {
        let kind = String(reason.map { $0.isNumber ? "#" : $0 }.prefix(96))
        if let line = peerRefusals.line("ignored a message on the peer socket: \(escapedForLog(reason))", key: kind, now: Clock.now()) { log(line) }
    }
}
