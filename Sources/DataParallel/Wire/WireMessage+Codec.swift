import NeuralNetwork

extension WireMessage {
    /// The message as one frame.
    public func encoded() -> [UInt8] {
        var w = WireWriter(capacity: 64 + payloadEstimate)
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
            w.string(h.host)
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
            w.string(m.region)
            w.u64(m.regionNonce)
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
            w.u8(s.parametersInRegion ? 1 : 0)
            w.floats(s.parameters)
        case .gradient(let g):
            w.f64(g.computeSeconds)
            w.u8(g.region.rawValue)
            w.int(g.nodes.count)
            for n in g.nodes {
                w.int(n.node.first)
                w.int(n.node.size)
                w.int(n.statistics.count)
                w.int(n.statistics.correct)
                w.f64(n.statistics.lossSum)
                w.floats(n.values)
            }
        case .heartbeat:
            break
        case .goodbye(let reason), .shutdown(let reason), .error(let reason):
            w.string(reason)
        }
        return w.bytes
    }

    private var payloadEstimate: Int {
        switch body {
        case .step(let s): s.parameters.count * 4 + s.nodes.count * 8 + 17
        case .gradient(let g): g.nodes.reduce(0) { $0 + $1.values.count * 4 + 32 } + 17
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

    /// The step number in a frame's header, if it is long enough to have one.
    static func peekStep(_ bytes: [UInt8]) -> UInt64? {
        guard bytes.count >= headerSize else { return nil }
        return (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[16 + $1]) << (8 * $1) }
    }

    /// Decodes one frame. Throws `WireError` for anything but a well-formed message of this
    /// protocol version.
    public init(decoding bytes: [UInt8]) throws {
        var r = WireReader(bytes)
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
                                expectedShape: try r.string("expected shape"), host: try r.string("host")))
        case .welcome:
            body = .welcome(Welcome(workerIndex: try r.int("worker index"), settings: try r.string("settings"),
                                    architecture: try r.string("architecture"), shardCount: try r.int("shard count"),
                                    imageHeight: try r.int("image height"), imageWidth: try r.int("image width"),
                                    classes: try r.int("classes"), heartbeatInterval: try r.f64("heartbeat interval"),
                                    heartbeatTimeout: try r.f64("heartbeat timeout"), region: try r.string("region"),
                                    regionNonce: try r.u64("region nonce")))
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
            let inRegion = try Self.flag(&r, "parameters in region")
            let parameters = try r.floats("parameters")
            guard !inRegion || parameters.isEmpty else { throw WireError("a step with parameters in the region carries \(parameters.count) more") }
            body = .step(StepOrder(position: position, nodes: nodes, parameters: parameters, parametersInRegion: inRegion))
        case .gradient:
            let seconds = try r.f64("compute seconds")
            let rawUse = try r.u8("region use")
            guard let use = GradientReply.RegionUse(rawValue: rawUse) else { throw WireError("unknown region use \(rawUse)") }
            let n = try r.count("nodes", elementSize: 28)
            var nodes: [GradientReply.Node] = []
            for _ in 0..<n {
                let node = try Self.node(&r)
                let count = try r.int("sample count"), correct = try r.int("correct count")
                let loss = try r.f64("loss sum")
                nodes.append(.init(node: node, statistics: BatchStatistics(lossSum: loss, correct: correct, count: count),
                                   values: try r.floats("gradient")))
            }
            if use == .sums, let n = nodes.first(where: { !$0.values.isEmpty }) {
                throw WireError("a reply with its sums in the region carries \(n.values.count) values for node \(n.node.first)+\(n.node.size)")
            }
            body = .gradient(GradientReply(nodes: nodes, computeSeconds: seconds, region: use))
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
    }

    private static func flag(_ r: inout WireReader, _ what: String) throws -> Bool {
        let v = try r.u8(what)
        guard v <= 1 else { throw WireError("\(what) is \(v), not 0 or 1") }
        return v == 1
    }

    private static func node(_ r: inout WireReader) throws -> TreeNode {
        let first = try r.int("node first"), size = try r.int("node size")
        guard size > 0, size & (size - 1) == 0, first % size == 0, size <= 1 << 24 else {
            throw WireError("\(first)+\(size) is not an aligned tree node")
        }
        return TreeNode(first: first, size: size)
    }
}
