import NeuralNetwork

extension WireMessage {
    /// The message as frames: the head, then its Float32 arrays (shared, not copied).
    public func encoded() -> WireFrames {
        var w = WireWriter(capacity: 64 + headEstimate)
        var payloads: [[Float]] = []
        w.u32(Self.magic)
        w.u16(Self.protocolVersion)
        w.u8(body.kind.rawValue)
        w.u8(0)
        w.u64(run)
        w.u64(step)
        switch body {
        case .hello(let h):
            w.u16(h.protocolVersion)
            w.string(h.name)
            w.string(h.coreType)
            w.int(h.threads)
            w.string(h.expectedShape)
            w.string(h.peerAddress)
            w.blob(h.peerKey)
        case .welcome(let m):
            w.int(m.workerIndex)
            w.string(m.settings)
            w.string(m.architecture)
            w.int(m.shardCount)
            w.int(m.imageHeight)
            w.int(m.imageWidth)
            w.int(m.classes)
            w.f64(m.heartbeatInterval)
            w.f64(m.heartbeatTimeout)
        case .shards(let d):
            w.int(d.drop.count)
            for i in d.drop { w.int(i) }
            w.int(d.shards.count)
            for s in d.shards {
                w.int(s.index)
                w.blob(s.labels)
                w.blob(s.pixels)
            }
        case .step(let s):
            w.int(s.position.epoch)
            w.int(s.position.step)
            w.int(s.nodes.count)
            for n in s.nodes { w.int(n.first); w.int(n.size) }
            w.f64(Double(s.learningRateScale))
            w.int(s.owners.count)
            for o in s.owners {
                w.string(o.link.address)
                w.blob(o.link.key)
                w.int(o.range.lowerBound)
                w.int(o.range.count)
            }
            w.int(s.rank)
            w.u64(s.basis)
            w.u8((s.parameters == nil ? 0 : 1) | (s.state == nil ? 0 : 2))
            if let p = s.parameters { payloads.append(p) }
            if let state = s.state {
                w.int(state.step)
                payloads += [state.firstMoment, state.secondMoment]
            }
        case .gradient(let g):
            Self.encode(g, &w, &payloads)
        case .part(let p):
            w.int(p.rank)
            Self.encode(p.sums, &w, &payloads)
        case .slice(let u):
            w.int(u.rank)
            w.int(u.first)
            payloads.append(u.values)
        case .unreachable(let ranks):
            w.int(ranks.count)
            for r in ranks { w.int(r) }
        case .done(let s):
            w.int(s.count)
            w.int(s.correct)
            w.f64(s.lossSum)
        case .heartbeat:
            break
        case .goodbye(let reason), .shutdown(let reason), .error(let reason):
            w.string(reason)
        }
        return WireFrames(head: w.bytes, payloads: payloads)
    }

    private static func encode(_ g: GradientReply, _ w: inout WireWriter, _ payloads: inout [[Float]]) {
        w.f64(g.computeSeconds)
        w.f64(g.received)
        w.f64(g.sent)
        w.u64(g.bytesSent)
        w.u64(g.bytesReceived)
        w.int(g.spans.count)
        for s in g.spans {
            w.int(s.node?.first ?? 0)
            w.int(s.node?.size ?? 0)
            w.f64(s.start)
            w.f64(s.end)
        }
        w.int(g.first)
        w.int(g.nodes.count)
        for n in g.nodes {
            w.int(n.node.first)
            w.int(n.node.size)
            w.int(n.statistics.count)
            w.int(n.statistics.correct)
            w.f64(n.statistics.lossSum)
            payloads.append(n.values)
        }
    }

    private var headEstimate: Int {
        switch body {
        case .step(let s): s.nodes.count * 8 + s.owners.reduce(0) { $0 + $1.link.address.utf8.count + $1.link.key.count + 16 } + 48
        case .gradient(let g): g.nodes.count * 28 + 24
        case .part(let p): p.sums.nodes.count * 28 + 28
        case .shards(let d): d.shards.reduce(0) { $0 + $1.labels.count + $1.pixels.count + 16 }
        default: 64
        }
    }

    /// The protocol version in a frame's header, if the frame starts with our magic: lets a
    /// peer of another version be told which versions differ.
    public static func peekVersion(_ bytes: [UInt8]) -> UInt16? {
        guard bytes.count >= 6 else { return nil }
        var r = WireReader(bytes)
        guard (try? r.u32("magic")) == magic else { return nil }
        return try? r.u16("version")
    }

    /// Decodes frames held in memory (the in-memory hub, tests), reading the arrays in place.
    public init(decoding frames: WireFrames, maximumFloats: Int = 1 << 28) throws {
        self = try frames.withPayloadBytes { try WireMessage(head: frames.head, payloads: $0, maximumFloats: maximumFloats) }
    }

    /// Decodes a head frame and the Float32 frames that came with it, read in place. Gradient
    /// sums are checked to be finite as they are copied out. Throws `WireError` for anything
    /// but a well-formed message of this protocol version.
    public init(head bytes: [UInt8], payloads: ReceivedPayloads, maximumFloats: Int = 1 << 28) throws {
        var r = WireReader(bytes)
        var frames = payloads[...]
        func payload(_ what: String, finite: Bool) throws -> [Float] {
            guard let raw = frames.popFirst() else { throw WireError("truncated: the frame of \(what) is missing") }
            return try FloatFrame.decode(raw, what, maximumCount: maximumFloats, finite: finite)
        }
        guard bytes.count >= Self.headerSize else {
            throw WireError("a message needs at least \(Self.headerSize) bytes, got \(bytes.count)")
        }
        guard try r.u32("magic") == Self.magic else { throw WireError("bad magic: not a digits message") }
        let version = try r.u16("version")
        guard version == Self.protocolVersion else {
            throw WireError("protocol version \(version), this side speaks version \(Self.protocolVersion)")
        }
        let rawKind = try r.u8("type")
        guard let kind = Kind(rawValue: rawKind) else { throw WireError("unknown message type \(rawKind)") }
        _ = try r.u8("flags")
        run = try r.u64("run id")
        step = try r.u64("step")
        switch kind {
        case .hello:
            body = .hello(Hello(protocolVersion: try r.u16("hello version"), name: try r.string("name"),
                                coreType: try r.string("core type"), threads: try r.int("threads"),
                                expectedShape: try r.string("expected shape"), peerAddress: try r.string("peer address"),
                                peerKey: try r.blob("peer key")))
        case .welcome:
            body = .welcome(Welcome(workerIndex: try r.int("worker index"), settings: try r.string("settings"),
                                    architecture: try r.string("architecture"), shardCount: try r.int("shard count"),
                                    imageHeight: try r.int("image height"), imageWidth: try r.int("image width"),
                                    classes: try r.int("classes"), heartbeatInterval: try r.f64("heartbeat interval"),
                                    heartbeatTimeout: try r.f64("heartbeat timeout")))
        case .shards:
            let dropCount = try r.count("dropped shards", elementSize: 4)
            var drop: [Int] = []
            for _ in 0..<dropCount { drop.append(try r.int("dropped shard")) }
            let n = try r.count("shards", elementSize: 12)
            var shards: [ShardData.Shard] = []
            for _ in 0..<n {
                shards.append(.init(index: try r.int("shard index"), labels: try r.blob("labels"), pixels: try r.blob("pixels")))
            }
            body = .shards(ShardData(drop: drop, shards: shards))
        case .step:
            let position = StepPosition(epoch: try r.int("epoch"), step: try r.int("step in epoch"))
            let n = try r.count("nodes", elementSize: 8)
            var nodes: [TreeNode] = []
            for _ in 0..<n { nodes.append(try Self.node(&r)) }
            let scale = try r.f64("learning rate scale")
            guard scale.isFinite, Double(Float(scale)) == scale else { throw WireError("learning rate scale \(scale) is not a finite Float32") }
            let ownerCount = try r.count("slice owners", elementSize: 16)
            var owners: [SliceOwner] = []
            for _ in 0..<ownerCount {
                let address = try r.string("owner address"), key = try r.blob("owner key")
                guard key.isEmpty || key.count == 32 else { throw WireError("an owner's key has \(key.count) bytes, not 32") }
                owners.append(SliceOwner(link: PeerLink(address: address, key: key), range: try Self.range(&r, "owner slice")))
            }
            let rank = try r.int("rank")
            let basis = try r.u64("basis")
            let carries = try r.u8("carried arrays")
            guard carries <= 3 else { throw WireError("unknown carried arrays \(carries)") }
            let parameters = carries & 1 != 0 ? try payload("parameters", finite: false) : nil
            var state: SliceState?
            if carries & 2 != 0 {
                state = SliceState(step: try r.int("optimiser step"), firstMoment: try payload("first moment", finite: false),
                                   secondMoment: try payload("second moment", finite: false))
            }
            body = .step(StepOrder(position: position, nodes: nodes, parameters: parameters, learningRateScale: Float(scale),
                                   owners: owners, rank: rank, basis: basis, state: state))
        case .gradient:
            body = .gradient(try Self.gradient(&r, payload))
        case .part:
            let rank = try r.int("rank")
            body = .part(Part(rank: rank, sums: try Self.gradient(&r, payload)))
        case .slice:
            let rank = try r.int("rank"), first = try r.int("slice first")
            body = .slice(SliceUpdate(rank: rank, first: first, values: try payload("slice", finite: true)))
        case .unreachable:
            let n = try r.count("ranks", elementSize: 4)
            var ranks: [Int] = []
            for _ in 0..<n { ranks.append(try r.int("rank")) }
            body = .unreachable(ranks)
        case .done:
            let count = try r.int("sample count"), correct = try r.int("correct count")
            body = .done(BatchStatistics(lossSum: try r.f64("loss sum"), correct: correct, count: count))
        case .heartbeat:
            body = .heartbeat
        case .goodbye:
            body = .goodbye(try r.string("reason"))
        case .shutdown:
            body = .shutdown(try r.string("reason"))
        case .error:
            body = .error(try r.string("reason"))
        }
        try r.finish("a \(kind) message")
        guard frames.isEmpty else { throw WireError("\(frames.count) unexpected frames after a \(kind) message") }
    }

    private static func gradient(_ r: inout WireReader, _ payload: (String, Bool) throws -> [Float]) throws -> GradientReply {
        let seconds = try r.f64("compute seconds")
        let received = try r.f64("order received"), sent = try r.f64("reply sent")
        let bytesSent = try r.u64("bytes sent"), bytesReceived = try r.u64("bytes received")
        let spanCount = try r.count("compute spans", elementSize: 24)
        var spans: [GradientReply.Span] = []
        for _ in 0..<spanCount {
            let first = try r.int("span node first"), size = try r.int("span node size")
            let node = size == 0 ? nil : try Self.node(first: first, size: size)
            spans.append(.init(node: node, start: try r.f64("span start"), end: try r.f64("span end")))
        }
        let first = try r.int("first parameter")
        guard first <= 1 << 30 else { throw WireError("first parameter \(first) is out of range") }
        let n = try r.count("nodes", elementSize: 24)
        var nodes: [GradientReply.Node] = []
        for _ in 0..<n {
            let node = try Self.node(&r)
            let count = try r.int("sample count"), correct = try r.int("correct count")
            let loss = try r.f64("loss sum")
            nodes.append(.init(node: node, statistics: BatchStatistics(lossSum: loss, correct: correct, count: count),
                               values: try payload("node \(node.first)+\(node.size)", true)))
        }
        var reply = GradientReply(nodes: nodes, first: first, computeSeconds: seconds, received: received, sent: sent, spans: spans)
        reply.bytesSent = bytesSent
        reply.bytesReceived = bytesReceived
        return reply
    }

    private static func range(_ r: inout WireReader, _ what: String) throws -> Range<Int> {
        let first = try r.int("\(what) first"), count = try r.int("\(what) count")
        guard first <= 1 << 30, count <= 1 << 30 else { throw WireError("\(what) \(first)+\(count) is out of range") }
        return first..<(first + count)
    }

    private static func node(_ r: inout WireReader) throws -> TreeNode {
        try node(first: try r.int("node first"), size: try r.int("node size"))
    }

    private static func node(first: Int, size: Int) throws -> TreeNode {
        guard size > 0, size & (size - 1) == 0, first % size == 0, size <= 1 << 24 else {
            throw WireError("\(first)+\(size) is not an aligned tree node")
        }
        return TreeNode(first: first, size: size)
    }
}
