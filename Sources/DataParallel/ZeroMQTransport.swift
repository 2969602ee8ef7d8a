import Foundation
import ZeroMQ

/// CURVE settings of a coordinator: its secret key, and the worker public keys it admits.
public struct CoordinatorCurve: Sendable {
    public var secretKey: CurveKey
    public var allowedWorkers: [CurveKey]

    public init(secretKey: CurveKey, allowedWorkers: [CurveKey]) {
        self.secretKey = secretKey
        self.allowedWorkers = allowedWorkers
    }
}

/// CURVE settings of a worker: its key pair, and the coordinator's public key.
public struct WorkerCurve: Sendable {
    public var keyPair: CurveKeyPair
    public var coordinatorKey: CurveKey

    public init(keyPair: CurveKeyPair, coordinatorKey: CurveKey) {
        self.keyPair = keyPair
        self.coordinatorKey = coordinatorKey
    }
}

/// The coordinator's transport over ZeroMQ: one ROUTER socket. Each message goes out as
/// [routing id, head, Float32 frames…], the frames sent without copying: a step's
/// parameters are one array whose storage every worker's message shares. With CURVE, a ZAP
/// handler admits only the listed worker keys; without a handler the socket would refuse
/// all (fail closed), so the handler lives as long as the transport.
public final class ZeroMQCoordinatorTransport: CoordinatorTransport {
    public let context: Context
    let socket: Socket
    let poller = Poller()
    let zap: ZAPHandler?
    /// With CURVE, handshake failures (a peer without keys never reaches the ZAP handler).
    let monitor: Socket?
    let onRefusal: (@Sendable (String) -> Void)?
    var handshakeFailures = 0
    var lastHandshakeReport = -Double.infinity
    /// The bound address, with the port filled in when bound to `*`.
    public let endpoint: String
    /// The largest Float32 frame accepted, in values.
    let maximumFloats: Int
    /// Seconds a receive polls without sleeping before it blocks (see `wait`). Set it to 0
    /// when the workers run on this machine and need every core.
    public var spin = ZeroMQCoordinatorTransport.defaultSpin

    /// - Parameters:
    ///   - maximumMessageSize: frames larger than this make libzmq drop the peer, before
    ///     anything is allocated for them (ZMQ_MAXMSGSIZE).
    ///   - onRefusal: called (on the ZAP thread) for every worker CURVE refuses.
    public init(bind address: String, maximumMessageSize: Int, curve: CoordinatorCurve? = nil,
                onRefusal: (@Sendable (String) -> Void)? = nil) throws {
        context = try Context()
        socket = try Socket(.router, in: context)
        try socket.set(.linger, .zero)
        try socket.set(.routerMandatory, true)
        try socket.set(.maximumMessageSize, maximumMessageSize)
        try socket.set(.sendHighWaterMark, 0)
        try socket.set(.receiveHighWaterMark, 0)
        try Self.setBuffers(socket)
        maximumFloats = maximumMessageSize / 4
        self.onRefusal = onRefusal
        if let curve {
            zap = try ZAPHandler(context: context, domain: "digits", allowedKeys: curve.allowedWorkers) { refusal in
                onRefusal?("refused a worker by CURVE: \(refusal.description)")
            }
            try socket.makeCurveServer(secretKey: curve.secretKey, zapDomain: "digits")
            monitor = try socket.monitor([.handshakeFailedProtocol, .handshakeFailedOther],
                                         endpoint: "inproc://digits-handshakes-\(UInt(bitPattern: ObjectIdentifier(socket).hashValue))")
        } else {
            zap = nil
            monitor = nil
        }
        do {
            try socket.bind(address)
        } catch {
            throw TrainingError("cannot bind \(address): \(error.message). Is another coordinator using it?")
        }
        endpoint = try socket.lastEndpoint
        _ = poller.register(socket)
        if let monitor { _ = poller.register(monitor) }
    }

    deinit { zap?.stop() }

    /// Logs the handshakes that failed since the last call: a peer without CURVE keys
    /// (mechanism mismatch, or it hangs up first) never reaches the ZAP handler. Such a peer
    /// retries every 100 ms, so repeats within 10 s are counted, not logged.
    func reportHandshakeFailures() throws {
        guard let monitor else { return }
        while let event = try monitor.receiveMonitorEvent() {
            handshakeFailures += 1
            guard Clock.now() - lastHandshakeReport >= 10 else { continue }
            let detail = event.kind == .handshakeFailedProtocol && event.value == MonitorEvent.mechanismMismatch
                ? "it does not use CURVE" : "code \(event.value)"
            let repeats = handshakeFailures > 1 ? " (\(handshakeFailures) attempts)" : ""
            onRefusal?("refused a worker connecting to \(event.endpoint): it failed the CURVE handshake (\(detail)); a worker needs --curve-secret and --curve-server-key\(repeats)")
            handshakeFailures = 0
            lastHandshakeReport = Clock.now()
        }
    }

    public func send(_ message: WireMessage, to peer: Peer) throws {
        _ = try socket.send(multipart: [Message(peer.id)] + Self.messages(message.encoded()))
    }

    public func receive(timeout: Double) throws -> (peer: Peer, arrival: Arrival)? {
        let deadline = Clock.now() + max(0, timeout)
        while true {
            if try !Self.wait(poller, timeout: deadline - Clock.now(), spin: spin) { return nil }
            try reportHandshakeFailures()
            guard let frames = try socket.receiveMultipart(flags: .dontWait) else {
                if Clock.now() >= deadline { return nil }
                continue
            }
            // A ROUTER frame set is [routing id, head, Float32 frames…]; less is a broken peer.
            guard frames.count >= 2 else {
                return (Peer(id: frames.first?.bytes ?? []), .refused(.undecodable("a message of \(frames.count) frame(s) has no head")))
            }
            // A tcp connection's remote address; over ipc the worker is on this machine.
            let peer = Peer(id: frames[0].bytes, host: endpoint.hasPrefix("tcp://") ? frames[1].property("Peer-Address") : "127.0.0.1")
            // Ids the ROUTER makes start with a zero byte; any other was chosen by the peer,
            // which could use it to pose as another worker. (Without ROUTER_HANDOVER, libzmq
            // refuses a second connection with an id in use.)
            guard frames[0].bytes.first == 0 else {
                return (peer, .refused(.undecodable("it chose its own routing id; the coordinator assigns them (do not set ZMQ_ROUTING_ID)")))
            }
            return (peer, Self.arrival(frames.dropFirst(), maximumFloats: maximumFloats))
        }
    }
}

extension ZeroMQCoordinatorTransport {
    /// The frames of a message as ZeroMQ messages that share the arrays' storage (zero copy).
    static func messages(_ frames: WireFrames) -> [Message] {
        [Message(sharing: frames.head)] + frames.payloads.map { Message(sharing: $0) }
    }

    /// Decodes received frames: the head is copied out (it is small, but for shards, which
    /// are decoded into arrays anyway), the Float32 frames are read in place.
    static func arrival(_ frames: ArraySlice<Message>, maximumFloats: Int) -> Arrival {
        let head = frames.first!.bytes
        let payloads = frames.dropFirst()
        // A received message's bytes stay where they are while the message lives.
        return withExtendedLifetime(payloads) {
            Arrival.decoding(head: head, payloads: payloads.map { $0.withUnsafeBytes { $0 } }, maximumFloats: maximumFloats)
        }
    }

    /// Kernel socket buffers for a step's frames: a 407 KB parameter frame then goes into
    /// the socket in one write instead of several, each waking the other side. The kernel
    /// caps the size at net.core.wmem_max / rmem_max (4 MiB on common Linux systems).
    static func setBuffers(_ socket: Socket) throws {
        try socket.set(.sendBuffer, 4 << 20)
        try socket.set(.receiveBuffer, 4 << 20)
    }
}

extension ZeroMQCoordinatorTransport {
    /// How long a receive polls without sleeping before it blocks, by default.
    public static let defaultSpin = 0.002

    /// Waits until the poller's socket is readable or `timeout` seconds pass. A step's reply
    /// usually comes within a millisecond or two, and waking a thread that sleeps in the
    /// kernel costs tens of microseconds on a virtual machine, several times per step; so
    /// the first 2 ms poll without sleeping, yielding the core to anyone who needs it. (A
    /// coordinator whose workers share its cores does better sleeping: measured at batch 512
    /// with 2 local workers on 2 cores, 350k samples/s spinning against 500k sleeping.)
    static func wait(_ poller: Poller, timeout: Double, spin: Double = defaultSpin) throws -> Bool {
        // A look without waiting (the coordinator's drain between steps) needs one poll, not a yield.
        if timeout <= 0 { return try poller.poll(timeout: .zero) > 0 }
        let start = Clock.now()
        let spinUntil = start + min(spin, max(0, timeout))
        repeat {
            if try poller.poll(timeout: .zero) > 0 { return true }
            sched_yield()
        } while Clock.now() < spinUntil
        let left = timeout - (Clock.now() - start)
        return try poller.poll(timeout: .microseconds(Int(max(0, left) * 1e6))) > 0
    }
}
