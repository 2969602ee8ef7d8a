import Foundation

/// What the coordinator puts on the timeline: its own sends and waits, each worker's compute
/// spans from its replies, and the joins, drops, redone steps and shard moves.
extension Coordinator {
    /// The worker's clock minus ours, estimated as NTP does from one round trip (order sent
    /// at t₀, received at w₁; reply sent at w₂, received at t₃): θ = ((w₁ − t₀) + (w₂ − t₃)) / 2,
    /// off by at most half the trip's delay (t₃ − t₀) − (w₂ − w₁); the estimate from the
    /// quickest trip so far is kept.
    struct ClockOffset {
        var delay: Double
        var offset: Double
    }

    func track(of peer: Peer) -> Int? { members.first { $0.peer == peer }?.track }

    /// The spans of a worker's accepted reply, in the coordinator's clock.
    func recordReply(_ reply: WireMessage.GradientReply, from worker: Member, orders: Orders, arrived: Double) {
        // An untimed reply has both times 0; a worker's clock may read below ours, even below 0.
        guard let timeline, reply.sent != 0 || reply.received != 0, reply.sent >= reply.received else { return }
        let delay = (arrived - orders.sent) - (reply.sent - reply.received)
        let sample = ClockOffset(delay: delay, offset: ((reply.received - orders.sent) + (reply.sent - arrived)) / 2)
        if let known = clockOffsets[worker.peer], known.delay <= sample.delay {} else { clockOffsets[worker.peer] = sample }
        let theta = clockOffsets[worker.peer]!.offset
        let track = worker.track
        timeline.span("order", category: "communication", track: track, from: orders.sent, to: max(orders.sent, reply.received - theta))
        for span in reply.spans {
            let name = span.node.map { "compute \($0.first)+\($0.size)" } ?? "compute"
            timeline.span(name, category: "compute", track: track, from: span.start - theta, to: span.end - theta)
        }
        // Between its last compute and the reply: the sliced exchange's parts, reduction,
        // update and slices (nothing, with the star).
        if let last = reply.spans.map(\.end).max(), reply.sent - last > 1e-5 {
            timeline.span("exchange", category: "communication", track: track, from: last - theta, to: reply.sent - theta)
        }
        timeline.span("reply", category: "communication", track: track, from: min(arrived, reply.sent - theta), to: arrived)
    }

    /// A moment on a worker's track (its join or drop), or the coordinator's.
    func mark(_ name: String, peer: Peer? = nil, args: [String: String] = [:]) {
        guard let timeline else { return }
        timeline.instant(name, category: "membership", track: peer.flatMap(track(of:)) ?? Timeline.coordinatorTrack, at: Clock.now(), args: args)
    }
}
