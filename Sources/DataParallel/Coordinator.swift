import Datasets
import Foundation
import NeuralNetwork

/// How the coordinator admits and watches workers.
public struct CoordinatorConfiguration: Sendable {
    /// Workers to wait for before the first step.
    public var workers: Int
    /// Seconds to wait for them.
    public var joinTimeout: Double
    /// Seconds between heartbeats to idle workers.
    public var heartbeatInterval: Double
    /// Seconds of silence after which a worker (or, for the worker, the coordinator) is gone.
    public var heartbeatTimeout: Double
    /// The coordinator's own OpenBLAS core type; workers must match it unless `allowMixedKernels`.
    public var coreType: String
    public var allowMixedKernels: Bool
    public var runID: UInt64
    /// The most workers in the run at once; hellos beyond it are refused.
    public var maximumWorkers: Int
    /// How the gradients travel.
    public var exchange: ExchangeKind

    public init(workers: Int, joinTimeout: Double = 60, heartbeatInterval: Double = 0.5, heartbeatTimeout: Double = 5,
                coreType: String, allowMixedKernels: Bool = false, runID: UInt64, maximumWorkers: Int? = nil,
                exchange: ExchangeKind = .star) {
        self.workers = workers
        self.exchange = exchange
        self.maximumWorkers = maximumWorkers ?? Self.defaultMaximumWorkers(for: workers)
        self.joinTimeout = joinTimeout
        self.heartbeatInterval = heartbeatInterval
        self.heartbeatTimeout = heartbeatTimeout
        self.coreType = coreType
        self.allowMixedKernels = allowMixedKernels
        self.runID = runID
    }

    /// 4 × the workers waited for: room for replacements and late joiners, not for a flood.
    public static func defaultMaximumWorkers(for workers: Int) -> Int { workers.multipliedReportingOverflow(by: 4).partialValue }
}

/// The coordinator's executor: it owns the plan's shards, sends each worker the samples of
/// its block, orders every step, and collects one reply per worker: its subtree sums (the
/// star) or its reduced slice (the sliced exchange). A worker that falls silent, leaves, or
/// sends a bad gradient is dropped, its shards (and slice) move to the others, and the step
/// is computed again: the result cannot change, because every node's sum is the same
/// wherever it is computed. It talks to its workers through a `CoordinatorTransport` and
/// never asks which one, nor which `GradientExchange` it runs.
public final class Coordinator: StepExecutor {
    public let plan: Plan
    public let architecture: Architecture
    public let images: ImageSet
    public let configuration: CoordinatorConfiguration
    let transport: CoordinatorTransport
    let tree: ReductionTree
    let exchange: GradientExchange
    /// Log lines for people (joins, refusals, drops), with no trailing newline.
    public var log: (String) -> Void
    /// Polled while waiting, at most every 20 ms (see `pollAbort`); throwing aborts the wait
    /// (e.g. a launched worker process died).
    public var checkAbort: () throws -> Void = {}
    var lastAbortCheck = -Double.infinity

    /// Where a worker is in its life with this coordinator: the one place that says so.
    enum Phase: Equatable {
        /// It said hello; it is admitted or refused before the next step.
        case joining(WireMessage.Hello)
        /// It was sent the welcome, and no shards yet.
        case welcomed
        /// It was sent the samples of these shards and has not answered a step since.
        case holding(Set<Int>)
        /// It holds these shards and has answered a step with them.
        case active(Set<Int>)
        /// It is out of the run, for this reason; nothing it sends counts any more.
        case dropped(String)
    }

    final class Member {
        let peer: Peer
        let name: String
        /// Where the other workers reach it, from its hello.
        let link: PeerLink?
        /// Its track on the timeline: its join index + 1 (0 is the coordinator's).
        var track = 0
        var phase: Phase
        var lastHeard: Double
        init(peer: Peer, name: String, link: PeerLink?, phase: Phase, now: Double) {
            self.peer = peer
            self.name = name
            self.link = link
            self.phase = phase
            lastHeard = now
        }

        /// The shards it holds (none while joining, welcomed or dropped).
        var held: Set<Int> {
            switch phase {
            case .holding(let shards), .active(let shards): shards
            default: []
            }
        }

        /// Whether it takes part in steps: welcomed, holding shards or active.
        var isInRun: Bool {
            switch phase {
            case .welcomed, .holding, .active: true
            case .joining, .dropped: false
            }
        }
    }

    /// Everyone who said hello and was not yet forgotten, in the order they came; the order
    /// of those in the run decides their blocks.
    var members: [Member] = []
    /// The workers taking part in steps, in the order they joined.
    var workers: [Member] { members.filter(\.isInRun) }
    var nextWorkerIndex = 0
    var lastDropReason: String?
    /// Whether the last drop was for gradients with NaN or ±∞.
    var droppedForNonFinite = false
    /// The number of the last step order sent (header field `step`).
    var nextOrder: UInt64 = 0
    var lastHeartbeat = 0.0
    var refusals = RefusalLog()
    /// The next step's orders, sent before this step's data was in (see `orderAhead`), and
    /// what has arrived for them since.
    var ahead: Orders?
    var aheadArrivals: [(Peer, Arrival)] = []
    /// `--timeline`: the run's spans and events (see Coordinator+Timeline.swift).
    public var timeline: Timeline?
    var clockOffsets: [Peer: ClockOffset] = [:]
    /// The counts and the departed of `roster` (see Coordinator+Roster.swift).
    var departures = Roster()

    public init(plan: Plan, architecture: Architecture, images: ImageSet, configuration: CoordinatorConfiguration,
                transport: CoordinatorTransport, log: @escaping (String) -> Void = { _ in }) {
        self.plan = plan
        self.architecture = architecture
        self.images = images
        self.configuration = configuration
        self.transport = transport
        self.tree = ReductionTree(shardCount: plan.shardCount)
        self.exchange = switch configuration.exchange {
        case .star: StarExchange(parameterCount: architecture.parameterCount)
        case .sliced: SlicedExchange(parameterCount: architecture.parameterCount, tree: tree)
        }
        self.log = log
    }

    public var workerNames: [String] { workers.map(\.name) }

    /// The shape workers compare with their `expectedShape`, e.g. "784,256,10".
    public var shape: String { ([architecture.inputs] + architecture.layers.map(\.outputs)).map(String.init).joined(separator: ",") }

    func heartbeatAll() {
        let beat = WireMessage(run: configuration.runID, .heartbeat)
        for w in workers { try? transport.send(beat, to: w.peer) }
        lastHeartbeat = Clock.now()
    }

    /// Sends heartbeats when one is due: for work between steps, such as evaluation, that
    /// would otherwise leave the workers without news for longer than their timeout.
    public func keepAlive() {
        if Clock.now() - lastHeartbeat >= configuration.heartbeatInterval { heartbeatAll() }
    }

    /// Takes a worker out of the run; `nonFinite` when it is for gradients with NaN or ±∞,
    /// `left` when it said goodbye (not a fault).
    func drop(_ peer: Peer, reason: String, nonFinite: Bool = false, left: Bool = false) {
        guard let worker = members.first(where: { $0.peer == peer && $0.isInRun }) else { return }
        worker.phase = .dropped(reason)
        droppedForNonFinite = nonFinite
        blocksChanged = true
        lastDropReason = "\(worker.name): \(reason)"
        recordDeparture(of: worker.name, reason: reason, left: left)
        mark("dropped", peer: peer, args: ["reason": reason])
        log("dropped worker \(worker.name): \(reason); its shards move to the \(workers.count) others")
        try? transport.send(WireMessage(run: configuration.runID, .shutdown("dropped: \(reason)")), to: peer)
    }

    /// Whether workers joined or were dropped since the last `rebalance`.
    var blocksChanged = false

    /// Gives every worker in the run the samples of its block and forgets the rest.
    func rebalance() {
        blocksChanged = false
        members.removeAll { if case .dropped = $0.phase { true } else { false } }
        let active = workers
        for (w, worker) in active.enumerated() {
            let block = Set(Plan.block(worker: w, of: active.count, shards: plan.shardCount))
            let drop = worker.held.subtracting(block).sorted()
            let add = block.subtracting(worker.held).sorted()
            guard !drop.isEmpty || !add.isEmpty else { continue }
            mark("shards move", peer: worker.peer, args: ["gets": add.map(String.init).joined(separator: ","),
                                                          "gives up": drop.map(String.init).joined(separator: ",")])
            let shards = add.map { s in
                let part = images.subset(plan.shards[s])
                return WireMessage.ShardData.Shard(index: s, labels: part.labels, pixels: part.pixels)
            }
            do {
                try transport.send(WireMessage(run: configuration.runID, .shards(.init(drop: drop, shards: shards))), to: worker.peer)
                worker.phase = .holding(block)
            } catch {
                log("could not send shards to \(worker.name): \(error)")
            }
        }
    }

    /// Tells every worker the run is over.
    public func shutdown(reason: String) {
        let bye = WireMessage(run: configuration.runID, .shutdown(reason))
        for w in workers { try? transport.send(bye, to: w.peer) }
    }
}
