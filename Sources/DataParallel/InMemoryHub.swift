import Foundation

/// Transports in memory, for tests of the coordinator and worker logic without a network
/// (as NIOEmbedded does for swift-nio): a hub holds one queue of frames per endpoint. Every
/// message is encoded on sending and decoded on receiving, by the codec ZeroMQ uses.
public final class InMemoryHub: @unchecked Sendable {
    private let condition = NSCondition()
    private var toCoordinator: [(Peer, WireFrames)] = []
    private var toWorkers: [Peer: [WireFrames]] = [:]
    /// What other workers sent each worker's peer address ("mem://NAME").
    private var toPeerSockets: [String: [WireFrames]] = [:]
    private var disconnected: Set<Peer> = []

    public init() {}

    public func coordinatorEndpoint() -> CoordinatorTransport { CoordinatorEnd(hub: self) }

    public func workerEndpoint(named name: String) -> WorkerTransport {
        let peer = Peer(id: Array(name.utf8))
        condition.lock()
        toWorkers[peer] = []
        toPeerSockets[Self.address(name)] = []
        disconnected.remove(peer)
        condition.unlock()
        return WorkerEnd(hub: self, peer: peer)
    }

    /// Cuts a worker off: what it sends is lost, and nothing more reaches it.
    public func disconnect(_ name: String) {
        condition.lock()
        disconnected.insert(Peer(id: Array(name.utf8)))
        condition.broadcast()
        condition.unlock()
    }

    static func address(_ name: String) -> String { "mem://\(name)" }
    private var unreachable: Set<String> = []
    private var slicesLost: Set<Peer> = []

    /// The updated slices a worker sends other workers are lost from now on; its parts reach
    /// them and its reduced slice and "done" the coordinator (a link that fails between them).
    public func loseSlices(of name: String) {
        condition.lock()
        slicesLost.insert(Peer(id: Array(name.utf8)))
        condition.unlock()
    }

    /// Makes a worker's peer socket unreachable: what other workers send it is lost, while
    /// its link to the coordinator works (a firewall that blocks only the peer port).
    public func blockPeerSocket(of name: String) {
        condition.lock()
        unreachable.insert(Self.address(name))
        condition.unlock()
    }

    /// Puts frames in a worker's peer queue as if another worker had sent them.
    public func injectToPeerSocket(of name: String, _ frames: WireFrames) {
        condition.lock()
        toPeerSockets[Self.address(name), default: []].append(frames)
        condition.broadcast()
        condition.unlock()
    }

    /// Puts frames in the coordinator's queue as if `peer` had sent them (for hostile-peer tests).
    public func inject(_ frames: WireFrames, from peer: Peer) {
        condition.lock()
        toCoordinator.append((peer, frames))
        condition.broadcast()
        condition.unlock()
    }

    func wait<T>(timeout: Double, _ take: () -> T?) -> T? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let value = take() { return value }
            if !condition.wait(until: deadline) { return take() }
        }
    }

    final class CoordinatorEnd: CoordinatorTransport {
        let hub: InMemoryHub
        init(hub: InMemoryHub) { self.hub = hub }

        func send(_ message: WireMessage, to peer: Peer) throws {
            let frames = message.encoded()
            hub.condition.lock()
            defer { hub.condition.unlock() }
            guard !hub.disconnected.contains(peer), hub.toWorkers[peer] != nil else { return }
            hub.toWorkers[peer]!.append(frames)
            hub.condition.broadcast()
        }

        func receive(timeout: Double) throws -> (peer: Peer, arrival: Arrival)? {
            let taken = hub.wait(timeout: timeout) { hub.toCoordinator.isEmpty ? nil : hub.toCoordinator.removeFirst() }
            return taken.map { ($0.0, Arrival.decoding($0.1)) }
        }
    }

    final class WorkerEnd: WorkerTransport {
        let hub: InMemoryHub
        let peer: Peer
        init(hub: InMemoryHub, peer: Peer) {
            self.hub = hub
            self.peer = peer
        }

        private(set) var traffic: (sent: UInt64, received: UInt64) = (0, 0)
        var link: PeerLink { PeerLink(address: InMemoryHub.address(String(decoding: peer.id, as: UTF8.self)), key: []) }

        func send(_ message: WireMessage) throws {
            let frames = message.encoded()
            traffic.sent &+= frames.byteCount
            hub.condition.lock()
            defer { hub.condition.unlock() }
            guard !hub.disconnected.contains(peer) else { return }
            hub.toCoordinator.append((peer, frames))
            hub.condition.broadcast()
        }

        func send(_ message: WireMessage, to other: PeerLink) throws {
            let frames = message.encoded()
            traffic.sent &+= frames.byteCount
            hub.condition.lock()
            defer { hub.condition.unlock() }
            let target = Peer(id: Array(other.address.dropFirst("mem://".count).utf8))
            guard !hub.disconnected.contains(peer), !hub.disconnected.contains(target), !hub.unreachable.contains(other.address),
                  !(hub.slicesLost.contains(peer) && frames.head.count > 6 && frames.head[6] == WireMessage.Kind.slice.rawValue),
                  hub.toPeerSockets[other.address] != nil else { return }
            hub.toPeerSockets[other.address]!.append(frames)
            hub.condition.broadcast()
        }

        func setPeers(_ peers: [PeerLink]) {}
        func limitPeerMessages(toBytes bytes: Int) throws {}

        func receive(timeout: Double) throws -> (sender: Sender, arrival: Arrival)? {
            let address = link.address
            let taken = hub.wait(timeout: timeout) { () -> (Sender, WireFrames)? in
                guard !hub.disconnected.contains(peer) else { return nil }
                if let queue = hub.toWorkers[peer], !queue.isEmpty { return (.coordinator, hub.toWorkers[peer]!.removeFirst()) }
                if let queue = hub.toPeerSockets[address], !queue.isEmpty { return (.peer(key: []), hub.toPeerSockets[address]!.removeFirst()) }
                return nil
            }
            if let taken { traffic.received &+= taken.1.byteCount }
            return taken.map { ($0.0, Arrival.decoding($0.1)) }
        }
    }
}

extension WireFrames {
    /// The bytes of its frames, as a transport counts them.
    var byteCount: UInt64 { UInt64(head.count) &+ payloads.reduce(0) { $0 &+ UInt64($1.count * 4) } }
}
