import CZeroMQ

/// A connection event reported by a socket monitor.
public struct MonitorEvent: Sendable, Equatable {
    public struct Kind: OptionSet, Sendable, Hashable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let accepted = Kind(rawValue: ZMQ_EVENT_ACCEPTED)
        public static let disconnected = Kind(rawValue: ZMQ_EVENT_DISCONNECTED)
        /// The ZMTP handshake failed before authentication: for a CURVE server, typically a
        /// peer without CURVE keys (mechanism mismatch). `value` is the ZMTP error code.
        public static let handshakeFailedProtocol = Kind(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
        /// The ZAP handler refused the peer (`value` is the ZAP status code, e.g. 400).
        public static let handshakeFailedAuthentication = Kind(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
        /// The handshake failed for another reason (`value` is an errno).
        public static let handshakeFailedOther = Kind(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
        public static let handshakeSucceeded = Kind(rawValue: ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
    }

    public let kind: Kind
    /// The event's value: a file descriptor, an errno, a ZMTP error or a ZAP status.
    public let value: UInt32
    /// The endpoint the event is about, e.g. "tcp://127.0.0.1:5555".
    public let endpoint: String

    /// ZMTP error: the peer uses another security mechanism (e.g. NULL against CURVE).
    public static let mechanismMismatch: UInt32 = 0x1100_0002
}

extension Socket {
    /// Starts monitoring this socket for `events` and returns the PAIR socket that receives
    /// them; read them with `receiveMonitorEvent`. The corresponding C function is
    /// `zmq_socket_monitor`.
    public func monitor(_ events: MonitorEvent.Kind, endpoint: String) throws(ZeroMQError) -> Socket {
        try LibZMQ.check("zmq_socket_monitor(\(endpoint))") { zmq_socket_monitor(handle, endpoint, events.rawValue) }
        let pair = try Socket(.pair, in: context)
        try pair.connect(endpoint)
        return pair
    }

    /// The next monitor event on a socket made by `monitor`, or nil if none is waiting.
    /// A monitor message is two frames: 2 bytes of event and 4 of value, then the endpoint.
    public func receiveMonitorEvent() throws(ZeroMQError) -> MonitorEvent? {
        guard let frames = try receiveMultipart(flags: .dontWait), frames.count == 2, frames[0].count == 6 else { return nil }
        let b = frames[0].bytes
        let kind = Int32(b[0]) | Int32(b[1]) << 8
        let value = UInt32(b[2]) | UInt32(b[3]) << 8 | UInt32(b[4]) << 16 | UInt32(b[5]) << 24
        return MonitorEvent(kind: MonitorEvent.Kind(rawValue: kind), value: value, endpoint: frames[1].string)
    }
}
