import NeuralNetwork

/// How a step's gradients travel, chosen with `--exchange`.
public enum ExchangeKind: String, Sendable, CaseIterable, Codable {
    /// The coordinator sends every worker the parameters and receives every worker's node
    /// sums: its link carries about 2·N·M bytes a step (M: the parameters' bytes).
    case star
    /// Workers own slices of the parameters, reduce-scatter their sums among themselves,
    /// update their slices and all-gather them; the coordinator receives the reduced
    /// slices (about M a step, whatever N) and keeps an exact copy.
    case sliced
}

/// What one worker is asked for in an attempt at a step, and what its reply must be.
struct Assignment {
    let peer: Peer
    let order: WireMessage.StepOrder
    /// The nodes its reply must hold, in order,
    let replyNodes: [TreeNode]
    /// each with this many values (or none, for a node without samples), standing for the
    /// parameters from `first` on.
    let replyFirst: Int
    let replyCount: Int
}

/// One strategy of the exchange, as the coordinator sees it: the orders of an attempt, and
/// how the replies make the step's sums. Either way the tree over shard indices and the
/// element-wise update fix every bit, so the strategies give the same weights.
protocol GradientExchange: AnyObject {
    /// The orders of attempt `number` for the workers of the run, in their order, whose
    /// blocks of shards `blocks` gives.
    func assignments(number: UInt64, input: StepInput, workers: [(peer: Peer, link: PeerLink)],
                     blocks: [[TreeNode]]) -> [Assignment]
    /// The step's sums from the validated replies of every assignment; or why they disagree.
    func sums(_ replies: [Peer: WireMessage.GradientReply], of assignments: [Assignment]) -> Result<[TreeNode: GradientSum], ExchangeMismatch>
    /// Attempt `number` was collected whole, from these workers.
    func succeeded(number: UInt64, workers: [Peer])
    /// The attempt was given up (a worker lost): the workers' copies count for nothing.
    func abandoned()
    /// Whether the next step's orders may go once every worker says it is done, before its
    /// data is in: true when they carry no parameters (the workers keep their own).
    var canOrderAhead: Bool { get }
}

/// Replies that each passed validation but do not fit together; the peer is the one to drop.
struct ExchangeMismatch: Error {
    let peer: Peer
    let reason: String
}

/// The star: every order carries the parameters; the replies are the blocks' node sums.
final class StarExchange: GradientExchange {
    let parameterCount: Int
    init(parameterCount: Int) { self.parameterCount = parameterCount }

    func assignments(number: UInt64, input: StepInput, workers: [(peer: Peer, link: PeerLink)],
                     blocks: [[TreeNode]]) -> [Assignment] {
        zip(workers, blocks).map { worker, block in
            // The same `parameters` array for every worker: its storage is shared by their frames.
            // A worker without shards is asked for nothing, and answers all the same.
            Assignment(peer: worker.peer,
                       order: .init(position: input.position, nodes: block, parameters: block.isEmpty ? nil : input.parameters),
                       replyNodes: block, replyFirst: 0, replyCount: parameterCount)
        }
    }

    func sums(_ replies: [Peer: WireMessage.GradientReply], of assignments: [Assignment]) -> Result<[TreeNode: GradientSum], ExchangeMismatch> {
        var sums: [TreeNode: GradientSum] = [:]
        for reply in replies.values {
            for n in reply.nodes { sums[n.node] = GradientSum(values: n.values, statistics: n.statistics) }
        }
        return .success(sums)
    }

    func succeeded(number: UInt64, workers: [Peer]) {}
    func abandoned() {}
    /// Every order carries the parameters after the previous step: it waits for its data.
    var canOrderAhead: Bool { false }
}

/// The sliced exchange: worker r owns `slices[r]` of the parameters and their optimiser
/// state. Each sends every owner its node sums restricted to the owner's slice; the owner
/// finishes the tree for its slice, updates it, sends it to the others and sends the
/// coordinator its reduced slice, from which the coordinator's trainer makes the same update.
final class SlicedExchange: GradientExchange {
    let parameterCount: Int
    let tree: ReductionTree
    /// The last attempt collected whole and the workers that took part, in rank order: when
    /// the next attempt has the same workers, their own parameters (that attempt's all-gather)
    /// equal the coordinator's, and orders need not carry them.
    var current: (number: UInt64, workers: [Peer])?

    init(parameterCount: Int, tree: ReductionTree) {
        self.parameterCount = parameterCount
        self.tree = tree
    }

    /// Where vectorised loops change step: slices start at multiples of it, so no element
    /// is ever summed or updated by a different path (vector body, scalar tail) than in
    /// one process. (The update and the sums are element-wise IEEE operations, which round
    /// the same in either path; the alignment keeps that true for any compiler choice.)
    static let alignment = 16

    /// `owners` contiguous slices of `count` parameters, in order, each starting at a
    /// multiple of `alignment`; as equal as that allows (some are empty when there are more
    /// owners than aligned blocks).
    static func slices(count: Int, owners: Int) -> [Range<Int>] {
        precondition(owners > 0)
        let blocks = (count + alignment - 1) / alignment
        return (0..<owners).map { r in
            let lower = min(count, blocks * r / owners * alignment)
            let upper = min(count, blocks * (r + 1) / owners * alignment)
            return lower..<upper
        }
    }

    func assignments(number: UInt64, input: StepInput, workers: [(peer: Peer, link: PeerLink)],
                     blocks: [[TreeNode]]) -> [Assignment] {
        let ranges = Self.slices(count: parameterCount, owners: workers.count)
        let owners = zip(workers, ranges).map { WireMessage.SliceOwner(link: $0.link, range: $1) }
        let basis = current.flatMap { $0.workers == workers.map(\.peer) ? $0.number : nil }
        return workers.indices.map { r in
            let range = ranges[r]
            let state = basis != nil ? nil : WireMessage.SliceState(
                step: input.optimizer.step,
                firstMoment: input.optimizer.firstMoment.isEmpty ? [] : Array(input.optimizer.firstMoment[range]),
                secondMoment: input.optimizer.secondMoment.isEmpty ? [] : Array(input.optimizer.secondMoment[range]))
            let order = WireMessage.StepOrder(position: input.position, nodes: blocks[r],
                                              parameters: basis == nil ? input.parameters : nil,
                                              learningRateScale: input.learningRateScale, owners: owners, rank: r,
                                              basis: basis ?? 0, state: state)
            return Assignment(peer: workers[r].peer, order: order, replyNodes: [tree.root], replyFirst: range.lowerBound,
                              replyCount: range.count)
        }
    }

    func sums(_ replies: [Peer: WireMessage.GradientReply], of assignments: [Assignment]) -> Result<[TreeNode: GradientSum], ExchangeMismatch> {
        // Every owner reduced the same statistics in the same tree order: they must agree.
        guard let first = assignments.first, let reference = replies[first.peer]?.nodes.first?.statistics else { return .success([:]) }
        var values = [Float](repeating: 0, count: parameterCount)
        for a in assignments {
            guard let node = replies[a.peer]?.nodes.first else { continue }
            guard node.statistics == reference else {
                return .failure(ExchangeMismatch(peer: a.peer, reason: "its reduced slice counts \(node.statistics.count) samples (loss sum \(node.statistics.lossSum)), the owner of the first slice \(reference.count) (\(reference.lossSum))"))
            }
            guard reference.count > 0 else { continue }
            values.withUnsafeMutableBufferPointer { target in
                node.values.withUnsafeBufferPointer { source in
                    guard let to = target.baseAddress, let from = source.baseAddress else { return }
                    (to + a.replyFirst).update(from: from, count: source.count)
                }
            }
        }
        return .success([tree.root: GradientSum(values: reference.count > 0 ? values : [], statistics: reference)])
    }

    func succeeded(number: UInt64, workers: [Peer]) { current = (number, workers) }
    func abandoned() { current = nil }
    var canOrderAhead: Bool { true }
}

extension PeerLink {
    /// The link other workers use for a worker that said `advertised` in its hello from
    /// `host`: a wildcard bind (`tcp://*:P`, `tcp://0.0.0.0:P`, `tcp://[::]:P`) becomes that
    /// host and port. Nil when it cannot be reached: nothing advertised, or a wildcard and
    /// no host known.
    static func resolving(_ advertised: String, key: [UInt8], host: String?) -> PeerLink? {
        guard !advertised.isEmpty else { return nil }
        for wildcard in ["tcp://*:", "tcp://0.0.0.0:", "tcp://[::]:"] where advertised.hasPrefix(wildcard) {
            guard let host, !host.isEmpty else { return nil }
            let port = advertised.dropFirst(wildcard.count)
            return PeerLink(address: host.contains(":") ? "tcp://[\(host)]:\(port)" : "tcp://\(host):\(port)", key: key)
        }
        return PeerLink(address: advertised, key: key)
    }
}
