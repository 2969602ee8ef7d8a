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
    /// Offer workers on this machine a `SharedRegion` for parameters and sums.
    public var sharedMemory: Bool

    public init(workers: Int, joinTimeout: Double = 60, heartbeatInterval: Double = 0.5, heartbeatTimeout: Double = 5,
                coreType: String, allowMixedKernels: Bool = false, runID: UInt64, sharedMemory: Bool = false) {
        self.sharedMemory = sharedMemory
        self.workers = workers
        self.joinTimeout = joinTimeout
        self.heartbeatInterval = heartbeatInterval
        self.heartbeatTimeout = heartbeatTimeout
        self.coreType = coreType
        self.allowMixedKernels = allowMixedKernels
        self.runID = runID
    }
}

/// The coordinator's executor: it owns the plan's shards, sends each worker the samples of
/// its block, sends every step's parameters, and collects one message of subtree sums per
/// worker. A worker that falls silent, leaves, or sends a bad gradient is dropped, its
/// shards move to the others, and the step is computed again: the result cannot change,
/// because every node's sum is the same wherever it is computed.
public final class Coordinator: StepExecutor {
    public let plan: Plan
    public let architecture: Architecture
    public let images: ImageSet
    public let configuration: CoordinatorConfiguration
    /// The given transport, with mailbox lanes to workers that mapped their shared region.
    let transport: MailboxCoordinatorTransport
    let tree: ReductionTree
    /// Log lines for people (joins, refusals, drops), with no trailing newline.
    public var log: (String) -> Void
    /// Polled while waiting, at most every 20 ms (see `pollAbort`); throwing aborts the wait
    /// (e.g. a launched worker process died).
    public var checkAbort: () throws -> Void = {}
    var lastAbortCheck = -Double.infinity

    final class WorkerState {
        let peer: Peer
        let name: String
        var held: Set<Int> = []
        var lastHeard: Double
        /// The region offered in the welcome, until the worker says it could not map it.
        var region: SharedRegion?
        /// Whether the worker said it mapped the region: its parameters then go there.
        var regionMapped = false
        init(peer: Peer, name: String, now: Double) {
            self.peer = peer
            self.name = name
            lastHeard = now
        }
    }

    /// Active workers in the order they joined; the order decides their blocks.
    var workers: [WorkerState] = []
    var pendingHellos: [(Peer, WireMessage.Hello)] = []
    var nextWorkerIndex = 0
    var lastDropReason: String?
    /// The number of the last step order sent (header field `step`).
    var nextOrder: UInt64 = 0
    var lastHeartbeat = 0.0

    public init(plan: Plan, architecture: Architecture, images: ImageSet, configuration: CoordinatorConfiguration,
                transport: CoordinatorTransport, log: @escaping (String) -> Void = { _ in }) {
        self.plan = plan
        self.architecture = architecture
        self.images = images
        self.configuration = configuration
        self.transport = MailboxCoordinatorTransport(inner: transport, spin: (transport as? ZeroMQCoordinatorTransport)?.spin ?? 0)
        self.tree = ReductionTree(shardCount: plan.shardCount)
        self.log = log
    }

    public var workerNames: [String] { workers.map(\.name) }

    /// The shape workers compare with their `expectedShape`, e.g. "784,256,10".
    public var shape: String { ([architecture.inputs] + architecture.layers.map(\.outputs)).map(String.init).joined(separator: ",") }

    // MARK: Joining

    /// Waits until `configuration.workers` workers have joined; throws, naming who came and
    /// how many are missing, when the join timeout runs out.
    public func waitForWorkers() throws {
        let deadline = Clock.now() + configuration.joinTimeout
        while workers.count < configuration.workers {
            try pollAbort()
            let now = Clock.now()
            if now >= deadline {
                let came = workers.isEmpty ? "none came" : "\(workers.count) came (\(workerNames.joined(separator: ", ")))"
                throw TrainingError("timed out after \(Int(configuration.joinTimeout)) s waiting for \(configuration.workers) workers: \(came), \(configuration.workers - workers.count) missing. Check that the workers can reach this address, or lower --workers.")
            }
            if let (peer, bytes) = try transport.receive(timeout: min(configuration.heartbeatInterval, deadline - now)) {
                handleOutOfStep(peer: peer, bytes: bytes, now: Clock.now())
            }
            admitPending()
            keepAlive()
        }
        rebalance()
    }

    /// Runs `checkAbort` unless it ran in the last 20 ms: the wait loops come here several
    /// times per step, and a check (launch's waitpid on every worker) need not run that often.
    func pollAbort() throws {
        let now = Clock.now()
        guard now - lastAbortCheck >= 0.02 else { return }
        lastAbortCheck = now
        try checkAbort()
    }

    /// Handles a message that is not a reply to the current step: hellos, heartbeats, goodbyes
    /// and anything refused.
    func handleOutOfStep(peer: Peer, bytes: [UInt8], now: Double) {
        guard let message = decode(peer: peer, bytes: bytes) else { return }
        if let worker = workers.first(where: { $0.peer == peer }) { worker.lastHeard = now }
        switch message.body {
        case .hello(let hello):
            if workers.contains(where: { $0.peer == peer }) { drop(peer, reason: "it said hello again (restarted?)") }
            pendingHellos.removeAll { $0.0 == peer }
            pendingHellos.append((peer, hello))
        case .heartbeat:
            break
        case .goodbye(let reason):
            drop(peer, reason: "it left: \(reason)")
        case .gradient:
            break // a late reply to an earlier step: its work was redone
        case .error(let reason):
            log("worker \(peer) reported an error: \(reason)")
        default:
            refuse(peer, "a \(message.body.kind) message is not for the coordinator")
        }
    }

    /// Decodes a frame, or refuses it with a logged reason.
    func decode(peer: Peer, bytes: [UInt8]) -> WireMessage? {
        do {
            let message = try WireMessage(decoding: bytes)
            if case .hello = message.body {} else if message.run != configuration.runID {
                refuse(peer, "run id \(message.run) is not this run's (\(configuration.runID))")
                return nil
            }
            return message
        } catch let error as WireError {
            if let version = WireMessage.peekVersion(bytes), version != WireMessage.protocolVersion {
                refuse(peer, "it speaks protocol version \(version), the coordinator speaks version \(WireMessage.protocolVersion)")
            } else {
                refuse(peer, "undecodable message (\(bytes.count) bytes): \(error.reason)")
            }
            return nil
        } catch {
            refuse(peer, "undecodable message: \(error)")
            return nil
        }
    }

    func refuse(_ peer: Peer, _ reason: String) {
        log("refused a message from \(peer): \(reason)")
        try? transport.send(WireMessage(run: configuration.runID, .error(reason)).encoded(), to: peer)
    }

    /// Admits or refuses the hellos received so far.
    func admitPending() {
        let hellos = pendingHellos
        pendingHellos = []
        for (peer, hello) in hellos {
            if let reason = refusal(of: hello) {
                log("refused worker \(hello.name) (\(peer)): \(reason)")
                try? transport.send(WireMessage(run: configuration.runID, .shutdown("refused: \(reason)")).encoded(), to: peer)
                continue
            }
            if hello.coreType != configuration.coreType {
                log("warning: worker \(hello.name) computes with \(hello.coreType) kernels, the coordinator with \(configuration.coreType): --allow-mixed-kernels is on, results are no longer bit-exact")
            }
            let worker = WorkerState(peer: peer, name: hello.name.isEmpty ? peer.description : hello.name, now: Clock.now())
            if configuration.sharedMemory && !hello.host.isEmpty && hello.host == SharedRegion.hostIdentity {
                do {
                    worker.region = try SharedRegion.create(parameterCount: architecture.parameterCount, slots: regionSlots(), name: worker.name)
                } catch {
                    log("worker \(worker.name) runs on this machine, but its parameters and sums go through ZeroMQ: \(error)")
                }
            }
            var welcome = WireMessage.Welcome(
                workerIndex: nextWorkerIndex,
                settings: String(decoding: try! JSONEncoder.sorted.encode(plan.settings), as: UTF8.self),
                architecture: String(decoding: try! JSONEncoder.sorted.encode(architecture), as: UTF8.self),
                shardCount: plan.shardCount, imageHeight: images.height, imageWidth: images.width, classes: images.classes,
                heartbeatInterval: configuration.heartbeatInterval, heartbeatTimeout: configuration.heartbeatTimeout)
            if let region = worker.region { (welcome.region, welcome.regionNonce) = (region.path, region.nonce) }
            nextWorkerIndex += 1
            do {
                try transport.send(WireMessage(run: configuration.runID, .welcome(welcome)).encoded(), to: peer)
                workers.append(worker)
                blocksChanged = true
                log("worker \(worker.name) joined (\(workers.count) active)\(worker.region == nil ? "" : ", on this machine: shared memory offered")")
            } catch {
                log("could not welcome worker \(worker.name): \(error)")
            }
        }
    }

    /// Slots for a new worker's region: the most tree nodes any worker's block needs while
    /// the planned number of workers (or one more than now) are active. After drops, blocks
    /// grow and may need more; such steps carry their sums in the message instead.
    func regionSlots() -> Int {
        let count = max(configuration.workers, workers.count + 1)
        return max(1, (0..<count).map { tree.nodes(covering: Plan.block(worker: $0, of: count, shards: plan.shardCount)).count }.max() ?? 1)
    }

    /// Why a hello is refused, naming both sides, or nil to admit it.
    func refusal(of hello: WireMessage.Hello) -> String? {
        if hello.protocolVersion != WireMessage.protocolVersion {
            return "it speaks protocol version \(hello.protocolVersion), the coordinator speaks version \(WireMessage.protocolVersion)"
        }
        if !hello.expectedShape.isEmpty && hello.expectedShape != shape {
            return "it expects a model of shape \(hello.expectedShape), the coordinator trains \(shape)"
        }
        if hello.coreType != configuration.coreType && !configuration.allowMixedKernels {
            return "its BLAS core type is \(hello.coreType), the coordinator's is \(configuration.coreType); results would not be bit-exact. Set OPENBLAS_CORETYPE=\(configuration.coreType) on the worker, or start the coordinator with --allow-mixed-kernels"
        }
        return nil
    }

    func heartbeatAll() {
        let beat = WireMessage(run: configuration.runID, .heartbeat).encoded()
        for w in workers { try? transport.send(beat, to: w.peer) }
        lastHeartbeat = Clock.now()
    }

    /// Sends heartbeats when one is due: for work between steps, such as evaluation, that
    /// would otherwise leave the workers without news for longer than their timeout.
    public func keepAlive() {
        if Clock.now() - lastHeartbeat >= configuration.heartbeatInterval { heartbeatAll() }
    }

    func drop(_ peer: Peer, reason: String) {
        guard let i = workers.firstIndex(where: { $0.peer == peer }) else { return }
        let worker = workers.remove(at: i)
        transport.detach(peer)
        blocksChanged = true
        lastDropReason = "\(worker.name): \(reason)"
        log("dropped worker \(worker.name): \(reason); its shards move to the \(workers.count) others")
        try? transport.send(WireMessage(run: configuration.runID, .shutdown("dropped: \(reason)")).encoded(), to: peer)
    }

    /// Whether workers joined or were dropped since the last `rebalance`.
    var blocksChanged = false

    /// Gives every active worker the samples of its block and forgets the rest.
    func rebalance() {
        blocksChanged = false
        for (w, worker) in workers.enumerated() {
            let block = Set(Plan.block(worker: w, of: workers.count, shards: plan.shardCount))
            let drop = worker.held.subtracting(block).sorted()
            let add = block.subtracting(worker.held).sorted()
            guard !drop.isEmpty || !add.isEmpty else { continue }
            let shards = add.map { s in
                let part = images.subset(plan.shards[s])
                return WireMessage.ShardData.Shard(index: s, labels: part.labels, pixels: part.pixels)
            }
            do {
                try transport.send(WireMessage(run: configuration.runID, .shards(.init(drop: drop, shards: shards))).encoded(), to: worker.peer)
                worker.held = block
            } catch {
                log("could not send shards to \(worker.name): \(error)")
            }
        }
    }

    /// Tells every worker the run is over.
    public func shutdown(reason: String) {
        let bye = WireMessage(run: configuration.runID, .shutdown(reason)).encoded()
        for w in workers { try? transport.send(bye, to: w.peer) }
    }
}
