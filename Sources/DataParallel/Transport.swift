import Foundation

/// A peer as the coordinator's transport knows it (a ZeroMQ routing id, or a name in memory).
public struct Peer: Hashable, Sendable, CustomStringConvertible {
    public let id: [UInt8]
    public init(id: [UInt8]) { self.id = id }
    public var description: String {
        if let s = String(validating: id, as: UTF8.self), s.allSatisfy({ $0.isASCII && !$0.isNewline && $0 != "\0" }) { return s }
        return id.map { String(format: "%02x", $0) }.joined()
    }
}

/// The coordinator's side of the network: one endpoint, many peers. Messages are whole
/// frames; delivery to a peer that has gone may fail or be dropped.
public protocol CoordinatorTransport: AnyObject {
    func send(_ message: [UInt8], to peer: Peer) throws
    /// The next message from any peer, or nil after `timeout` seconds without one.
    func receive(timeout: Double) throws -> (peer: Peer, message: [UInt8])?
}

/// A worker's side of the network: one coordinator.
public protocol WorkerTransport: AnyObject {
    func send(_ message: [UInt8]) throws
    /// The next message from the coordinator, or nil after `timeout` seconds without one.
    func receive(timeout: Double) throws -> [UInt8]?
}

/// Transports in memory, for tests of the coordinator and worker logic without a network
/// (as NIOEmbedded does for swift-nio): a hub holds one queue per endpoint.
public final class InMemoryHub: @unchecked Sendable {
    private let condition = NSCondition()
    private var toCoordinator: [(Peer, [UInt8])] = []
    private var toWorkers: [Peer: [[UInt8]]] = [:]
    private var disconnected: Set<Peer> = []

    public init() {}

    public func coordinatorEndpoint() -> CoordinatorTransport { CoordinatorEnd(hub: self) }

    public func workerEndpoint(named name: String) -> WorkerTransport {
        let peer = Peer(id: Array(name.utf8))
        condition.lock()
        toWorkers[peer] = []
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

    /// Puts a frame in the coordinator's queue as if `peer` had sent it (for hostile-peer tests).
    public func inject(_ message: [UInt8], from peer: Peer) {
        condition.lock()
        toCoordinator.append((peer, message))
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

        func send(_ message: [UInt8], to peer: Peer) throws {
            hub.condition.lock()
            defer { hub.condition.unlock() }
            guard !hub.disconnected.contains(peer), hub.toWorkers[peer] != nil else { return }
            hub.toWorkers[peer]!.append(message)
            hub.condition.broadcast()
        }

        func receive(timeout: Double) throws -> (peer: Peer, message: [UInt8])? {
            hub.wait(timeout: timeout) { hub.toCoordinator.isEmpty ? nil : hub.toCoordinator.removeFirst() }
        }
    }

    final class WorkerEnd: WorkerTransport {
        let hub: InMemoryHub
        let peer: Peer
        init(hub: InMemoryHub, peer: Peer) {
            self.hub = hub
            self.peer = peer
        }

        func send(_ message: [UInt8]) throws {
            hub.condition.lock()
            defer { hub.condition.unlock() }
            guard !hub.disconnected.contains(peer) else { return }
            hub.toCoordinator.append((peer, message))
            hub.condition.broadcast()
        }

        func receive(timeout: Double) throws -> [UInt8]? {
            hub.wait(timeout: timeout) { () -> [UInt8]? in
                guard !hub.disconnected.contains(peer), let queue = hub.toWorkers[peer], !queue.isEmpty else { return nil }
                return hub.toWorkers[peer]!.removeFirst()
            }
        }
    }
}
