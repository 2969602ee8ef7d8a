/// How long a connection may take, so that clients that connect and then send slowly or
/// nothing cannot hold the server's sockets for ever.
///
/// The page itself needs little: a browser sends a request head of a few hundred bytes at
/// once and a drawing of a few kB, and keeps the connection alive between drawings.
public struct ConnectionLimits: Sendable, Equatable {
    /// How long a new connection may take to send its first complete request head (the
    /// request line and headers). Past it, the server answers 408 and closes the connection.
    public var headerTimeout: Duration

    /// 10 s: a browser sends its head in one packet, and even a slow mobile link delivers
    /// it in well under a second.
    public static let defaultHeaderTimeout: Duration = .seconds(10)

    public init(headerTimeout: Duration = defaultHeaderTimeout) {
        precondition(headerTimeout > .zero, "timeouts are positive")
        self.headerTimeout = headerTimeout
    }
}
