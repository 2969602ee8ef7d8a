import Datasets
import Foundation
import NeuralNetwork

/// Joining and refusing: hellos become members, members are admitted or refused with a
/// reason that names both sides, and whatever arrives outside a step is handled here.
extension Coordinator {
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
            if let (peer, arrival) = try transport.receive(timeout: min(configuration.heartbeatInterval, deadline - now)) {
                handleOutOfStep(peer: peer, arrival: arrival, now: Clock.now())
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

    /// Handles what arrived outside a step's replies: hellos, heartbeats, goodbyes, late
    /// gradients and anything refused.
    func handleOutOfStep(peer: Peer, arrival: Arrival, now: Double) {
        guard let message = accept(arrival, from: peer) else { return }
        let member = members.first { $0.peer == peer && $0.isInRun }
        member?.lastHeard = now
        switch message.body {
        case .hello(let hello):
            if member != nil { drop(peer, reason: "it said hello again (restarted?)") }
            members.removeAll { $0.peer == peer }
            let name = hello.name.isEmpty ? peer.description : escapedForLog(hello.name, limit: 64)
            members.append(Member(peer: peer, name: name, link: PeerLink.resolving(hello.peerAddress, key: hello.peerKey, host: peer.host),
                                  phase: .joining(hello), now: now))
        case .heartbeat:
            break
        case .goodbye(let reason):
            drop(peer, reason: "it left: \(escapedForLog(reason))", left: true)
        case .gradient, .unreachable, .done:
            break // about an earlier attempt: its work was redone
        case .error(let reason):
            let name = member?.name ?? peer.description
            if let line = refusals.line("worker \(name) reported an error: \(escapedForLog(reason))", key: "error from \(name)", now: now) { log(line) }
        default:
            refuse(peer, "a \(message.body.kind) message is not for the coordinator")
        }
    }

    /// The message that arrived, or nil after refusing it with a logged reason: frames that
    /// do not decode, another protocol version, another run.
    func accept(_ arrival: Arrival, from peer: Peer) -> WireMessage? {
        switch arrival {
        case .refused(.version(let version)):
            refuse(peer, "it speaks protocol version \(version), the coordinator speaks version \(WireMessage.protocolVersion)")
            return nil
        case .refused(.undecodable(let reason)):
            refuse(peer, reason)
            return nil
        case .message(let message):
            if case .hello = message.body {} else if message.run != configuration.runID {
                refuse(peer, "run id \(message.run) is not this run's (\(configuration.runID))")
                return nil
            }
            return message
        }
    }

    /// Refuses what `peer` sent, telling it why; the log gets one line per kind of reason
    /// every 10 s, with a count of the others.
    func refuse(_ peer: Peer, _ reason: String) {
        let name = members.first { $0.peer == peer }?.name ?? peer.description
        // The kind of reason: its text without the numbers (sizes, counts) that vary.
        let kind = String(reason.map { $0.isNumber ? "#" : $0 }.prefix(96))
        if let line = refusals.line("refused a message from \(name): \(escapedForLog(reason))", key: kind, now: Clock.now()) { log(line) }
        try? transport.send(WireMessage(run: configuration.runID, .error(reason)), to: peer)
    }

    /// Admits or refuses the workers that said hello since the last look.
    func admitPending() {
        for member in members {
            guard case .joining(let hello) = member.phase else { continue }
            if let reason = refusal(of: hello, from: member) {
                log("refused worker \(member.name): \(reason)")
                try? transport.send(WireMessage(run: configuration.runID, .shutdown("refused: \(reason)")), to: member.peer)
                member.phase = .dropped("refused: \(reason)")
                continue
            }
            if hello.coreType != configuration.coreType {
                log("warning: worker \(member.name) computes with \(escapedForLog(hello.coreType, limit: 32)) kernels, the coordinator with \(configuration.coreType): --allow-mixed-kernels is on, results are no longer bit-exact")
            }
            let welcome = WireMessage.Welcome(
                workerIndex: nextWorkerIndex,
                settings: String(decoding: try! JSONEncoder.sorted.encode(plan.settings), as: UTF8.self),
                architecture: String(decoding: try! JSONEncoder.sorted.encode(architecture), as: UTF8.self),
                shardCount: plan.shardCount, imageHeight: images.height, imageWidth: images.width, classes: images.classes,
                heartbeatInterval: configuration.heartbeatInterval, heartbeatTimeout: configuration.heartbeatTimeout)
            nextWorkerIndex += 1
            do {
                try transport.send(WireMessage(run: configuration.runID, .welcome(welcome)), to: member.peer)
                member.phase = .welcomed
                member.lastHeard = Clock.now()
                member.track = welcome.workerIndex + 1
                timeline?.name(track: member.track, member.name)
                mark("joined", peer: member.peer)
                departures.joins += 1
                blocksChanged = true
                log("worker \(member.name) joined (\(workers.count) active); its gradients travel over ZeroMQ (\(configuration.exchange.rawValue) exchange)")
            } catch {
                member.phase = .dropped("could not welcome it: \(error)")
                log("could not welcome worker \(member.name): \(error)")
            }
        }
        members.removeAll { if case .dropped = $0.phase { true } else { false } }
    }

    /// Why a hello is refused, naming both sides, or nil to admit it.
    func refusal(of hello: WireMessage.Hello, from member: Member) -> String? {
        if workers.contains(where: { $0.name == member.name }) {
            return "a worker named \(member.name) is already in the run; give each worker its own --name"
        }
        if workers.count >= configuration.maximumWorkers {
            return "the run is full: \(workers.count) workers, at most \(configuration.maximumWorkers) (--max-workers)"
        }
        if hello.protocolVersion != WireMessage.protocolVersion {
            return "it speaks protocol version \(hello.protocolVersion), the coordinator speaks version \(WireMessage.protocolVersion)"
        }
        if !hello.expectedShape.isEmpty && hello.expectedShape != shape {
            return "it expects a model of shape \(escapedForLog(hello.expectedShape, limit: 64)), the coordinator trains \(shape)"
        }
        if hello.coreType != configuration.coreType && !configuration.allowMixedKernels {
            return "its BLAS core type is \(escapedForLog(hello.coreType, limit: 32)), the coordinator's is \(configuration.coreType); results would not be bit-exact. Set OPENBLAS_CORETYPE=\(configuration.coreType) on the worker, or start the coordinator with --allow-mixed-kernels"
        }
        if configuration.exchange == .sliced && member.link == nil {
            return "other workers cannot reach it: its hello gives no usable peer address (\(escapedForLog(hello.peerAddress, limit: 64))); start it with --peer-bind tcp://ITS-ADDRESS:PORT"
        }
        return nil
    }
}
