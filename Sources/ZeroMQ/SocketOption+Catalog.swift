import CZeroMQ

/// ZMQ_ZAP_ENFORCE_DOMAIN: declared by zmq.h only under ZMQ_BUILD_DRAFT_API, but accepted by
/// libzmq 4.3 builds, Debian's included.
private let zmqZAPEnforceDomain: Int32 = 93

// MARK: Lifetime and queues

extension SocketOption where Value == Duration? {
    /// How long closing the socket waits to deliver queued messages; nil waits forever
    /// (libzmq's own default, which can hang the process on a dead peer). This module sets 0
    /// on every new socket. Option ZMQ_LINGER.
    public static var linger: Self { timeout("ZMQ_LINGER", ZMQ_LINGER) }

    /// How long a blocking `receive` waits before it returns nil; nil waits forever.
    /// Option ZMQ_RCVTIMEO.
    public static var receiveTimeout: Self { timeout("ZMQ_RCVTIMEO", ZMQ_RCVTIMEO) }

    /// How long a blocking `send` waits before it returns `.wouldBlock`; nil waits
    /// forever. Option ZMQ_SNDTIMEO.
    public static var sendTimeout: Self { timeout("ZMQ_SNDTIMEO", ZMQ_SNDTIMEO) }
}

extension SocketOption where Value == Int {
    /// The most whole messages queued for sending to one peer (0: no limit; default 1000).
    /// Past it, ROUTER drops (or, with `.routerMandatory`, refuses), DEALER blocks.
    /// Option ZMQ_SNDHWM.
    public static var sendHighWaterMark: Self { count("ZMQ_SNDHWM", ZMQ_SNDHWM) }

    /// The most whole messages queued on receipt from one peer (0: no limit; default 1000).
    /// Option ZMQ_RCVHWM.
    public static var receiveHighWaterMark: Self { count("ZMQ_RCVHWM", ZMQ_RCVHWM) }

    /// The kernel's send buffer for the socket's connections, in bytes (0: the OS default).
    /// The kernel caps it at net.core.wmem_max. Option ZMQ_SNDBUF.
    public static var sendBuffer: Self { count("ZMQ_SNDBUF", ZMQ_SNDBUF) }

    /// The kernel's receive buffer, in bytes (0: the OS default), capped at
    /// net.core.rmem_max. Option ZMQ_RCVBUF.
    public static var receiveBuffer: Self { count("ZMQ_RCVBUF", ZMQ_RCVBUF) }
}

extension SocketOption where Value == Int? {
    /// The largest message, in bytes, a peer may send; a peer that sends a larger one is
    /// disconnected before its message is allocated. nil: no limit. Option ZMQ_MAXMSGSIZE.
    public static var maximumMessageSize: Self {
        integer("ZMQ_MAXMSGSIZE", ZMQ_MAXMSGSIZE, as: Int64.self,
                from: { $0 < 0 ? nil : Int($0) }, to: { $0.map { Int64($0) } ?? -1 })
    }
}

// MARK: Heartbeats (ZMTP PING/PONG)

extension SocketOption where Value == Duration {
    /// How often to send a PING when the connection is otherwise quiet; zero disables.
    /// Option ZMQ_HEARTBEAT_IVL.
    public static var heartbeatInterval: Self { interval("ZMQ_HEARTBEAT_IVL", ZMQ_HEARTBEAT_IVL) }

    /// How long to wait for any traffic after a PING before the connection is deemed dead
    /// and closed (zero: the heartbeat interval). Option ZMQ_HEARTBEAT_TIMEOUT.
    public static var heartbeatTimeout: Self { interval("ZMQ_HEARTBEAT_TIMEOUT", ZMQ_HEARTBEAT_TIMEOUT) }

    /// Asks the peer to drop the connection if it hears nothing from us for this long
    /// (sent in our PINGs; whole deciseconds, at most 6553.5 s). Option ZMQ_HEARTBEAT_TTL.
    public static var heartbeatTTL: Self { interval("ZMQ_HEARTBEAT_TTL", ZMQ_HEARTBEAT_TTL) }

    /// How long to wait between reconnection attempts (default 100 ms).
    /// Option ZMQ_RECONNECT_IVL.
    public static var reconnectInterval: Self { interval("ZMQ_RECONNECT_IVL", ZMQ_RECONNECT_IVL) }
}

// MARK: Routing

extension SocketOption where Value == Bool {
    /// ROUTER: a send to an unknown or full peer throws `EHOSTUNREACH` (or waits, or
    /// returns `.wouldBlock` with `.dontWait`) instead of dropping the message silently.
    /// Write-only. Option ZMQ_ROUTER_MANDATORY.
    public static var routerMandatory: Self { flag("ZMQ_ROUTER_MANDATORY", ZMQ_ROUTER_MANDATORY) }

    /// ROUTER: a new connection that claims a routing id already in use takes it over
    /// (a restarted worker replaces its dead predecessor). Write-only.
    /// Option ZMQ_ROUTER_HANDOVER.
    public static var routerHandover: Self { flag("ZMQ_ROUTER_HANDOVER", ZMQ_ROUTER_HANDOVER) }

    /// Queue messages only to completed connections: sends wait (or fail with
    /// `.wouldBlock`) until a peer is there. Option ZMQ_IMMEDIATE.
    public static var immediate: Self { flag("ZMQ_IMMEDIATE", ZMQ_IMMEDIATE) }

    /// Keep only the newest message in the queue (single-part messages; PUB, SUB, DEALER,
    /// PUSH, PULL): for a subscriber that wants the latest state, not every one. Option ZMQ_CONFLATE.
    public static var conflate: Self { flag("ZMQ_CONFLATE", ZMQ_CONFLATE) }

    /// Act as the CURVE server: needs `.curveSecretKey`; clients must know our public key.
    /// Option ZMQ_CURVE_SERVER.
    public static var curveServer: Self { flag("ZMQ_CURVE_SERVER", ZMQ_CURVE_SERVER) }

    /// Refuse every connection when no ZAP handler answers for the socket's `.zapDomain`
    /// (fail closed) instead of admitting it. Option ZMQ_ZAP_ENFORCE_DOMAIN.
    public static var zapEnforceDomain: Self { flag("ZMQ_ZAP_ENFORCE_DOMAIN", zmqZAPEnforceDomain) }
}

extension SocketOption where Value == [UInt8] {
    /// The routing id this socket announces to a ROUTER peer (1 to 255 bytes, not starting
    /// with a zero byte); set before connecting. Option ZMQ_ROUTING_ID.
    public static var routingID: Self { bytes("ZMQ_ROUTING_ID", ZMQ_ROUTING_ID, capacity: 255) }

    /// SUB: receive messages that start with these bytes (empty: everything). Write-only.
    /// Option ZMQ_SUBSCRIBE.
    public static var subscribe: Self { bytes("ZMQ_SUBSCRIBE", ZMQ_SUBSCRIBE, capacity: 0) }
}

// MARK: Security

extension SocketOption where Value == CurveKey {
    /// Our long-term public key (clients; servers need only the secret key).
    /// Option ZMQ_CURVE_PUBLICKEY.
    public static var curvePublicKey: Self { curveKey("ZMQ_CURVE_PUBLICKEY", ZMQ_CURVE_PUBLICKEY) }

    /// Our long-term secret key. Option ZMQ_CURVE_SECRETKEY.
    public static var curveSecretKey: Self { curveKey("ZMQ_CURVE_SECRETKEY", ZMQ_CURVE_SECRETKEY) }

    /// Client: the server's public key; setting it makes the socket a CURVE client.
    /// Option ZMQ_CURVE_SERVERKEY.
    public static var curveServerKey: Self { curveKey("ZMQ_CURVE_SERVERKEY", ZMQ_CURVE_SERVERKEY) }
}

extension SocketOption where Value == String {
    /// The ZAP domain sent to the ZAP handler with each connection request (at most 254
    /// bytes). Option ZMQ_ZAP_DOMAIN.
    public static var zapDomain: Self { text("ZMQ_ZAP_DOMAIN", ZMQ_ZAP_DOMAIN, capacity: 256) }

    /// The endpoint last bound or connected; read-only. Option ZMQ_LAST_ENDPOINT.
    public static var lastEndpoint: Self { text("ZMQ_LAST_ENDPOINT", ZMQ_LAST_ENDPOINT, capacity: 1024) }
}
