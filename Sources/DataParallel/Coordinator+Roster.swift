import Foundation

/// Who is in the run and what happened to whom: for the live view and `GET /metrics`.
public struct Roster: Codable, Equatable, Sendable {
    public struct Entry: Codable, Equatable, Sendable {
        public var name: String
        /// "joining" (said hello, waits for the next step), "active" (takes part in steps),
        /// "dropped" (out of the run, `reason` says why), "left".
        public var state: String
        public var reason: String?

        public init(name: String, state: String, reason: String? = nil) {
            self.name = name
            self.state = state
            self.reason = reason
        }
    }

    /// The workers in the run or waiting to join, in the order they came, then the last
    /// `keptDeparted` who left or were dropped, newest last.
    public var workers: [Entry] = []
    /// Since the coordinator started: workers welcomed, dropped (for a fault), left (said
    /// goodbye), and step attempts computed again.
    public var joins = 0
    public var drops = 0
    public var leaves = 0
    public var redoneSteps = 0

    public static let keptDeparted = 32

    enum CodingKeys: String, CodingKey {
        case workers, joins, drops, leaves
        case redoneSteps = "redone_steps"
    }
}

extension Coordinator {
    /// The roster now: the members' states, then who departed.
    public var roster: Roster {
        var roster = departures
        roster.workers = members.compactMap { member in
            switch member.phase {
            case .joining: Roster.Entry(name: member.name, state: "joining")
            case .welcomed, .holding, .active: Roster.Entry(name: member.name, state: "active")
            case .dropped: nil
            }
        } + departures.workers
        return roster
    }

    /// Counts a departure and remembers it (the member itself is forgotten at the next rebalance).
    func recordDeparture(of name: String, reason: String, left: Bool) {
        if left { departures.leaves += 1 } else { departures.drops += 1 }
        departures.workers.append(Roster.Entry(name: name, state: left ? "left" : "dropped", reason: reason))
        if departures.workers.count > Roster.keptDeparted { departures.workers.removeFirst() }
    }
}
