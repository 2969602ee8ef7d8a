import Foundation
import ZeroMQ

/// A worker's transport over ZeroMQ: a DEALER socket to the coordinator, a ROUTER socket
/// that other workers send to (the sliced exchange), and a DEALER to each of them. Its routing
/// id at the coordinator is the one the coordinator's ROUTER gives the connection, never one
/// the worker chooses: a peer cannot take over another worker's connection by claiming its id.
///
/// With CURVE, the worker makes a key pair of its own for the peer links and says its public
/// key in its hello (over the encrypted link to the coordinator); it connects to each other
/// worker as a CURVE client that accepts only the key the coordinator listed for it, and its
/// peer socket is a CURVE server that encrypts every link and hands each message over with
/// the key its sender proved (`Sender.peer`), which the worker checks against the keys the
/// coordinator lists in its step orders. (A ZAP allow-list would race: a peer may connect
/// before this worker has read the order that names it, and libzmq does not retry a refused
/// handshake.) Without CURVE (--insecure), the peer links are plain too.
public final class ZeroMQWorkerTransport: WorkerTransport {
    public let context: Context
    let socket: Socket
    let peerSocket: Socket
    let peerKeys: CurveKeyPair?
    let zap: ZAPHandler?
    let poller = Poller()
    var outgoing: [PeerLink: Socket] = [:]
    /// The peer socket's endpoint, its port filled in.
    let bound: String
    public let link: PeerLink

    let maximumFloats: Int

    /// - Parameters:
    ///   - peerBind: where other workers reach this one: `tcp://*:0` (any free port, on
    ///     every interface; the coordinator tells the others the host it sees this worker
    ///     connect from), `tcp://HOST:PORT`, or `ipc://PATH`.
    public init(connect address: String, maximumMessageSize: Int = 1 << 31, curve: WorkerCurve? = nil,
                peerBind: String = "tcp://*:0") throws {
        context = try Context()
        socket = try Socket(.dealer, in: context)
        try socket.set(.linger, .milliseconds(500))
        try socket.set(.maximumMessageSize, maximumMessageSize)
        try socket.set(.sendHighWaterMark, 0)
        try socket.set(.receiveHighWaterMark, 0)
        try ZeroMQCoordinatorTransport.setBuffers(socket)
        maximumFloats = maximumMessageSize / 4
        if let curve { try socket.makeCurveClient(keyPair: curve.keyPair, serverKey: curve.coordinatorKey) }
        peerSocket = try Socket(.router, in: context)
        try peerSocket.set(.linger, .zero)
        try peerSocket.set(.maximumMessageSize, maximumMessageSize)
        try peerSocket.set(.sendHighWaterMark, 0)
        try peerSocket.set(.receiveHighWaterMark, 0)
        try ZeroMQCoordinatorTransport.setBuffers(peerSocket)
        if curve != nil {
            let keys = try CurveKeyPair.generate()
            peerKeys = keys
            // Nobody is admitted until the coordinator names the run's workers.
            zap = try ZAPHandler.admittingEveryKey(context: context, domain: "digits-peers")
            try peerSocket.makeCurveServer(secretKey: keys.secretKey, zapDomain: "digits-peers")
        } else {
            peerKeys = nil
            zap = nil
        }
        do {
            try peerSocket.bind(peerBind)
        } catch {
            throw TrainingError("cannot bind the peer socket \(peerBind): \(error.message); choose another with --peer-bind")
        }
        bound = try peerSocket.lastEndpoint
        link = PeerLink(address: bound, key: peerKeys.map { Array($0.publicKey.bytes) } ?? [])
        do {
            try socket.connect(address)
        } catch {
            throw TrainingError("cannot connect to \(address): \(error.message)")
        }
        _ = poller.register(socket)
        _ = poller.register(peerSocket)
    }

    deinit { zap?.stop() }

    public private(set) var traffic: (sent: UInt64, received: UInt64) = (0, 0)

    public func send(_ message: WireMessage) throws {
        let frames = ZeroMQCoordinatorTransport.messages(message.encoded())
        let bytes = frames.reduce(0) { $0 &+ UInt64($1.count) } // (a sent message is empty after)
        _ = try socket.send(multipart: frames)
        traffic.sent &+= bytes
    }

    public func send(_ message: WireMessage, to peer: PeerLink) throws {
        let out = try outgoing[peer] ?? connect(to: peer)
        let frames = ZeroMQCoordinatorTransport.messages(message.encoded())
        let bytes = frames.reduce(0) { $0 &+ UInt64($1.count) }
        _ = try out.send(multipart: frames)
        traffic.sent &+= bytes
    }

    func connect(to peer: PeerLink) throws -> Socket {
        let out = try Socket(.dealer, in: context)
        try out.set(.linger, .zero)
        try out.set(.sendHighWaterMark, 0)
        try ZeroMQCoordinatorTransport.setBuffers(out)
        if let peerKeys {
            guard let key = CurveKey(bytes: peer.key) else { throw TrainingError("the coordinator listed a worker at \(peer.address) without a CURVE key") }
            try out.makeCurveClient(keyPair: peerKeys, serverKey: key)
        }
        try out.connect(peer.address)
        outgoing[peer] = out
        return out
    }

    public func limitPeerMessages(toBytes bytes: Int) throws {
        // A listener keeps the options it was bound with: bound again, on the same address,
        // it gives the limit to every connection from now on (every peer's comes after the
        // welcome, at its first step).
        try peerSocket.set(.maximumMessageSize, bytes)
        try peerSocket.unbind(bound)
        // libzmq closes the old listener on its I/O thread, a moment later.
        var attempts = 0
        while true {
            do {
                try peerSocket.bind(bound)
                return
            } catch where attempts < 500 {
                attempts += 1
                usleep(2_000)
            } catch {
                throw TrainingError("cannot bind the peer socket \(bound) again: \(error)")
            }
        }
    }

    public func setPeers(_ peers: [PeerLink]) {
        let now = Set(peers)
        for gone in outgoing.keys where !now.contains(gone) { outgoing[gone] = nil }
    }

    public func receive(timeout: Double) throws -> (sender: Sender, arrival: Arrival)? {
        let deadline = Clock.now() + max(0, timeout)
        while true {
            if try !ZeroMQCoordinatorTransport.wait(poller, timeout: deadline - Clock.now()) { return nil }
            if let frames = try socket.receiveMultipart(flags: .dontWait) {
                traffic.received &+= frames.reduce(0) { $0 &+ UInt64($1.count) }
                return (.coordinator, ZeroMQCoordinatorTransport.arrival(frames[...], maximumFloats: maximumFloats))
            }
            if let frames = try peerSocket.receiveMultipart(flags: .dontWait) {
                traffic.received &+= frames.dropFirst().reduce(0) { $0 &+ UInt64($1.count) }
                // [routing id, head, Float32 frames…]; with CURVE, the key its sender proved.
                let key = frames.last?.property("User-Id").flatMap(Z85.decode) ?? []
                guard frames.count >= 2 else { return (.peer(key: key), .refused(.undecodable("a peer message of \(frames.count) frame(s) has no head"))) }
                return (.peer(key: key), ZeroMQCoordinatorTransport.arrival(frames.dropFirst(), maximumFloats: maximumFloats))
            }
            if Clock.now() >= deadline { return nil }
        }
    }
}
