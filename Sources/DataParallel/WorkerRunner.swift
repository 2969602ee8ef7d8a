import Datasets
import Foundation
import NeuralNetwork

/// A worker process's loop: say hello, receive the run's settings and shards, compute every
/// step it is sent, and leave when told to or when the coordinator falls silent.
public final class WorkerRunner {
    public struct Configuration: Sendable {
        public var name: String
        public var coreType: String
        /// A model shape to insist on ("784,128,10"), or "" to accept the coordinator's.
        public var expectedShape: String
        /// Seconds to wait for the welcome, and for the coordinator when it falls silent,
        /// until the welcome says otherwise.
        public var timeout: Double
        public var heartbeatInterval: Double
        /// Threads computing this worker's shards; the result does not depend on it.
        public var threads: Int
        /// Added to the times this worker reports for the timeline, as if its clock were that
        /// far off (tests of the coordinator's clock alignment).
        public var clockSkew: Double = 0
        /// Seconds added to every step's compute, as if this worker's machine were slower
        /// (tests of the straggler metrics).
        public var computeDelay: Double = 0

        public init(name: String, coreType: String, expectedShape: String = "", timeout: Double = 30, heartbeatInterval: Double = 0.5,
                    threads: Int = 1) {
            self.name = name
            self.coreType = coreType
            self.expectedShape = expectedShape
            self.timeout = timeout
            self.heartbeatInterval = heartbeatInterval
            self.threads = threads
        }
    }

    /// How the run ended for this worker.
    public enum Ending: Equatable, Sendable {
        /// The coordinator said the run is over (or that this worker is refused), and why.
        case shutdown(String)
    }

    let transport: WorkerTransport
    public var configuration: Configuration
    public var log: (String) -> Void
    /// Polled between messages; true makes the worker say goodbye and return.
    public var shouldStop: () -> Bool = { false }

    var runID: UInt64 = 0
    var engine: ParallelShardWorker?
    var welcome: WireMessage.Welcome?
    /// The run's settings and model, decoded once from the welcome.
    var setup: (settings: TrainingSettings, architecture: Architecture)?
    var held: [Int: WireMessage.ShardData.Shard] = [:]
    public internal(set) var stepsComputed = 0
    /// The sliced exchange's state on this worker (see WorkerRunner+Sliced.swift).
    var parameters: [Float] = []
    var sliceOptimizer: Optimizer?
    var round: SliceRound?
    /// The last round whose all-gather finished here: the parameters are those after it.
    var completedRound: UInt64?
    /// An order based on the round in progress, started when that round ends.
    var queued: (order: WireMessage.StepOrder, number: UInt64)?
    /// Peers' messages for rounds that have not started here yet.
    var early: [(message: WireMessage, key: [UInt8])] = []
    var peerRefusals = RefusalLog()
    /// For the timeline: when the last order arrived, and the last compute's spans.
    var orderArrived = 0.0
    var lastSpans: [WireMessage.GradientReply.Span] = []
    /// This worker's clock, for the times it reports.
    func now() -> Double { Clock.now() + configuration.clockSkew }

    /// A reply with the transport's byte counts so far, for the per-worker metrics.
    func stamped(_ reply: WireMessage.GradientReply) -> WireMessage.GradientReply {
        var reply = reply
        (reply.bytesSent, reply.bytesReceived) = transport.traffic
        return reply
    }

    public init(transport: WorkerTransport, configuration: Configuration, log: @escaping (String) -> Void = { _ in }) {
        self.transport = transport
        self.configuration = configuration
        self.log = log
    }

    /// Runs until the coordinator shuts the run down. Throws when the coordinator vanishes.
    public func run() throws -> Ending {
        let hello = WireMessage.Hello(name: configuration.name, coreType: configuration.coreType, threads: configuration.threads,
                                      expectedShape: configuration.expectedShape, peerAddress: transport.link.address,
                                      peerKey: transport.link.key)
        try transport.send(WireMessage(run: 0, .hello(hello)))
        var lastHeard = Clock.now()
        var lastSent = Clock.now()
        var lastChance = false
        while true {
            if shouldStop() {
                try? transport.send(WireMessage(run: runID, .goodbye("stopped by a signal")))
                return .shutdown("stopped by a signal")
            }
            let timeout = welcome?.heartbeatTimeout ?? configuration.timeout
            let interval = welcome?.heartbeatInterval ?? configuration.heartbeatInterval
            // Awake when a round's complaint falls due, not up to an interval later.
            let due = round.flatMap { $0.complained ? nil : $0.started + timeout / 2 - Clock.now() } ?? interval
            let received = try transport.receive(timeout: max(0.001, min(interval, due)))
            try complainIfPeersLate()
            var news: Arrival?
            if let (sender, arrival) = received {
                // Peers' traffic is not news from the coordinator: its silence still counts.
                if case .peer(let key) = sender { handlePeer(arrival, key: key) } else { news = arrival }
            }
            guard let arrival = news else {
                let silent = Clock.now() - lastHeard
                // One more full wait before giving up: after a SIGSTOP/SIGCONT the first poll
                // returns at once, while the coordinator's last words may still be queued.
                if silent >= timeout && !lastChance {
                    lastChance = true
                    continue
                }
                if silent >= timeout && welcome == nil {
                    throw TrainingError(String(format: "no answer from the coordinator in %.1f s: check its address, that it is running, and this worker's credential: the coordinator's join token (--token-file, DIGITS_TOKEN), or --curve-secret and --curve-server-key with its .pub file in the coordinator's --allow-keys, or --insecure on both sides", silent))
                }
                if silent >= timeout {
                    throw TrainingError(String(format: "the coordinator has been silent for %.1f s (timeout %.1f s): it is gone or unreachable; exiting", silent, timeout))
                }
                if welcome != nil && round == nil && Clock.now() - lastSent >= interval {
                    try transport.send(WireMessage(run: runID, .heartbeat))
                    lastSent = Clock.now()
                }
                continue
            }
            lastHeard = Clock.now()
            lastChance = false
            let message: WireMessage
            switch arrival {
            case .message(let m):
                message = m
            case .refused(.version(let version)):
                log("ignored a message of protocol version \(version) from the coordinator; this worker speaks version \(WireMessage.protocolVersion)")
                continue
            case .refused(.undecodable(let reason)):
                log("ignored a message from the coordinator: \(reason)")
                continue
            }
            if welcome != nil && message.run != runID {
                log("ignored a message of run \(message.run); this worker is in run \(runID)")
                continue
            }
            switch message.body {
            case .welcome(let w):
                try accept(w, run: message.run)
            case .shards(let data):
                try hold(data)
            case .step(let order):
                orderArrived = lastHeard + configuration.clockSkew
                try perform(order, number: message.step)
                lastSent = Clock.now()
            case .heartbeat:
                break
            case .shutdown(let reason):
                return .shutdown(reason)
            case .error(let reason):
                log("the coordinator refused a message: \(reason)")
            case .hello, .gradient, .goodbye, .part, .slice, .unreachable, .done:
                log("ignored a \(message.body.kind) message from the coordinator, which only workers send")
            }
        }
    }

    /// Does what a step order says: with the star, computes the sums and replies; with the
    /// sliced exchange, starts (or queues) this worker's part of the round.
    func perform(_ order: WireMessage.StepOrder, number: UInt64) throws {
        if order.owners.isEmpty {
            try transport.send(compute(order, step: number))
        } else {
            try beginSliced(order, number: number)
        }
    }

    func accept(_ w: WireMessage.Welcome, run: UInt64) throws {
        guard let settings = try? JSONDecoder().decode(TrainingSettings.self, from: Data(w.settings.utf8)), settings.problems.isEmpty,
              let architecture = try? JSONDecoder().decode(Architecture.self, from: Data(w.architecture.utf8)),
              architecture.inputs == w.imageHeight * w.imageWidth, architecture.outputs == w.classes,
              w.shardCount == settings.shardCount, w.heartbeatTimeout > 0, w.heartbeatInterval > 0
        else { throw TrainingError("the coordinator's welcome is inconsistent: cannot join this run") }
        // A part holds at most a few node sums of one slice, a slice at most every parameter.
        let nodes = 2 * (Int.bitWidth - w.shardCount.leadingZeroBitCount) + 2
        let (limit, overflow) = nodes.multipliedReportingOverflow(by: architecture.parameterCount * 4 + 64)
        try transport.limitPeerMessages(toBytes: overflow ? Int.max : limit + 4096)
        self.runID = run
        self.welcome = w
        setup = (settings, architecture)
        held = [:]
        engine = nil
        parameters = []
        sliceOptimizer = nil
        round = nil
        completedRound = nil
        queued = nil
        early = []
        BLAS.threads = 1
        log("joined run \(run) as worker \(w.workerIndex): \(architecture.summary), \(w.shardCount) shards")
    }

    func hold(_ data: WireMessage.ShardData) throws {
        guard let w = welcome, let (settings, architecture) = setup else {
            throw TrainingError("the coordinator sent shards before its welcome")
        }
        let features = w.imageHeight * w.imageWidth
        for s in data.drop { held[s] = nil }
        for shard in data.shards {
            guard shard.index >= 0, shard.index < w.shardCount, shard.pixels.count == shard.labels.count * features,
                  shard.labels.allSatisfy({ Int($0) < w.classes })
            else { throw TrainingError("the coordinator sent a malformed shard \(shard.index)") }
            held[shard.index] = shard
        }
        // One image set over the held shards, each shard a contiguous run of positions in it.
        var pixels: [UInt8] = [], labels: [UInt8] = []
        var positions: [Int: [Int]] = [:]
        for (index, shard) in held.sorted(by: { $0.key < $1.key }) {
            positions[index] = Array(labels.count..<(labels.count + shard.labels.count))
            pixels += shard.pixels
            labels += shard.labels
        }
        let images = ImageSet(height: w.imageHeight, width: w.imageWidth, classes: w.classes, pixels: pixels, labels: labels)
        if let engine {
            engine.hold(images: images, shards: positions)
        } else {
            engine = ParallelShardWorker(threads: configuration.threads, architecture: architecture, settings: settings,
                                         shardCount: w.shardCount, images: images, shards: positions)
        }
        log("holding shards \(positions.keys.sorted().map(String.init).joined(separator: ",")) (\(labels.count) samples)")
    }

    /// The star's step: the sums of the order's nodes, computed with the order's parameters.
    func compute(_ order: WireMessage.StepOrder, step: UInt64) throws -> WireMessage {
        // A worker with nothing to do (more workers than shards) says so at once.
        if order.nodes.isEmpty {
            return WireMessage(run: runID, step: step, .gradient(stamped(.init(nodes: [], computeSeconds: 0, received: orderArrived, sent: now()))))
        }
        guard let parameters = order.parameters else { throw TrainingError("the coordinator sent a step without parameters") }
        let (sums, seconds) = try computeSums(order, parameters: parameters)
        stepsComputed += 1
        let nodes = sums.map { node, sum in
            WireMessage.GradientReply.Node(node: node, statistics: sum.statistics, values: sum.statistics.count == 0 ? [] : sum.values)
        }
        return WireMessage(run: runID, step: step, .gradient(stamped(.init(nodes: nodes, computeSeconds: seconds, received: orderArrived,
                                                                           sent: now(), spans: lastSpans))))
    }

    /// The sums of the order's nodes (every shard under them held here) with `parameters`,
    /// and the seconds they took.
    func computeSums(_ order: WireMessage.StepOrder, parameters: [Float]) throws -> (sums: [(TreeNode, GradientSum)], seconds: Double) {
        lastSpans = []
        if order.nodes.isEmpty { return ([], 0) }
        guard let engine else { throw TrainingError("the coordinator sent a step before any shards") }
        guard parameters.count == engine.architecture.parameterCount else {
            throw TrainingError("the coordinator sent \(parameters.count) parameters, the model has \(engine.architecture.parameterCount)")
        }
        for node in order.nodes {
            for s in node.shards where s < engine.tree.shardCount && engine.shards[s] == nil {
                throw TrainingError("the coordinator asked for shard \(s), which this worker was not given")
            }
        }
        let start = Clock.now()
        // The test delay is compute as far as anyone can tell: timed, and drawn, as one.
        var delay: [WireMessage.GradientReply.Span] = []
        if configuration.computeDelay > 0 {
            usleep(UInt32(min(configuration.computeDelay, 10) * 1e6))
            delay = [.init(node: nil, start: start + configuration.clockSkew, end: now())]
        }
        let sums = parameters.withUnsafeBufferPointer { engine.compute(order.nodes, at: order.position, parameters: $0.baseAddress!) }
        lastSpans = delay + engine.spans.map { .init(node: $0.node, start: $0.start + configuration.clockSkew, end: $0.end + configuration.clockSkew) }
        return (sums, Clock.now() - start)
    }
}
