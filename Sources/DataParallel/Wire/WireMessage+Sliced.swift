/// The sliced exchange's parts of the protocol: who owns which slice (in a step order), an
/// owner's optimiser state, and what workers send each other.
extension WireMessage {
    /// One owner of a slice in the sliced exchange: where its peer socket is, the CURVE
    /// key it proves (empty without CURVE), and the parameters it owns.
    public struct SliceOwner: Equatable, Sendable {
        public var link: PeerLink
        public var range: Range<Int>

        public init(link: PeerLink, range: Range<Int>) {
            self.link = link
            self.range = range
        }
    }

    /// An owner's optimiser state for its slice: t, then v (momentum) or m and s (Adam).
    public struct SliceState: Equatable, Sendable {
        public var step: Int
        public var firstMoment: [Float]
        public var secondMoment: [Float]

        public init(step: Int, firstMoment: [Float], secondMoment: [Float]) {
            self.step = step
            self.firstMoment = firstMoment
            self.secondMoment = secondMoment
        }
    }

    /// A worker's node sums restricted to the receiver's slice, and the sender's rank.
    public struct Part: Equatable, Sendable {
        public var rank: Int
        public var sums: GradientReply

        public init(rank: Int, sums: GradientReply) {
            self.rank = rank
            self.sums = sums
        }
    }

    /// An owner's updated slice of the parameters, from index `first`.
    public struct SliceUpdate: Equatable, Sendable {
        public var rank: Int
        public var first: Int
        public var values: [Float]

        public init(rank: Int, first: Int, values: [Float]) {
            self.rank = rank
            self.first = first
            self.values = values
        }
    }
}
