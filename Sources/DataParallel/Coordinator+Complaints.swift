import Foundation

/// The sliced exchange's faults that only workers see: one that cannot hear from another
/// owner says so (`unreachable`), and the coordinator decides whom to drop.
extension Coordinator {
    /// Drops the workers the complaints blame, naming who could not reach them.
    func judge(_ verdict: Complaints.Verdict, orders: Orders) {
        func name(_ p: Peer) -> String { members.first { $0.peer == p }?.name ?? p.description }
        for p in orders.ranks where verdict.guilty.contains(p) {
            let accusers = verdict.accusers[p, default: []]
            let by = accusers.map(name).sorted().joined(separator: ", ")
            let (who, reach) = accusers.count > 1 ? ("workers", "they reach") : ("worker", "it reaches")
            drop(p, reason: "\(who) \(by) cannot reach it though \(reach) the coordinator: check that its peer port (--peer-bind) is open to the other workers")
        }
    }
}

/// The sliced exchange's "I cannot hear from these owners" reports of one attempt. The first
/// opens a short window in which the others' come in (each worker reports half a timeout
/// after its order, so they arrive together); then whoever most complainers name is at fault:
/// a worker whose own link is down names everyone and is named by everyone, a dead one is
/// named by all and names nobody. A tie (two workers that cannot reach each other) drops the
/// later of them in rank order, so that one goes, and always the same one.
struct Complaints {
    private(set) var judgeAt: Double?
    private var named: [Peer: Set<Peer>] = [:]   // complainer → whom it names

    struct Verdict {
        let guilty: Set<Peer>
        let accusers: [Peer: Set<Peer>]
    }

    mutating func add(from complainer: Peer, naming: Set<Peer>, now: Double, window: Double) {
        named[complainer, default: []].formUnion(naming)
        judgeAt = judgeAt ?? now + window
    }

    /// The verdict once the window has passed, or every worker of the attempt has complained.
    func verdict(now: Double, ranks: [Peer]) -> Verdict? {
        guard let judgeAt, now >= judgeAt || Set(ranks).isSubset(of: Set(named.keys)) else { return nil }
        var accusers: [Peer: Set<Peer>] = [:]
        for (complainer, peers) in named { for p in peers { accusers[p, default: []].insert(complainer) } }
        let most = accusers.values.map(\.count).max() ?? 0
        var guilty = Set(accusers.filter { $0.value.count == most }.keys)
        // Everyone blamed also complains of the others: a tie, which the last in rank order loses.
        if guilty.count > 1, guilty.allSatisfy({ named[$0] != nil }), let last = ranks.last(where: guilty.contains) {
            guilty = [last]
        }
        return Verdict(guilty: guilty, accusers: accusers)
    }
}
