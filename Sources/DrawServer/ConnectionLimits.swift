/// How long a connection may take and how many may be open at once, so that clients that
/// connect and then send slowly or nothing cannot hold the server's sockets for ever.
///
/// The page itself needs little: a browser opens up to six connections to a host, sends a
/// request head of a few hundred bytes at once and a drawing of a few kB, and keeps the
/// connection alive between drawings.
public struct ConnectionLimits: Sendable, Equatable {
    /// How long a new connection may take to send its first complete request head (the
    /// request line and headers). Past it, the server answers 408 and closes the connection.
    /// Later requests on a kept-alive connection are bounded by `idleTimeout` instead.
    public var headerTimeout: Duration
    /// How long a connection may go without sending any part of a request: between requests
    /// on a kept-alive connection, or in the middle of a body shorter than its Content-Length.
    /// Past it, the connection is closed. Time the server spends answering does not count.
    public var idleTimeout: Duration
    /// How many connections may be open at once. A connection beyond it is answered 503 and
    /// closed at once; the open ones are served as before.
    public var maximumConnections: Int

    /// 10 s: a browser sends its head in one packet, and even a slow mobile link delivers
    /// it in well under a second.
    public static let defaultHeaderTimeout: Duration = .seconds(10)
    /// 30 s: long enough for a person to draw the next digit on a kept-alive connection,
    /// short enough that a stalled upload frees its socket soon.
    public static let defaultIdleTimeout: Duration = .seconds(30)
    /// 64: ten browser tabs of six connections each, far below the default limit of 1024
    /// open files.
    public static let defaultMaximumConnections = 64

    public init(headerTimeout: Duration = defaultHeaderTimeout, idleTimeout: Duration = defaultIdleTimeout,
                maximumConnections: Int = defaultMaximumConnections) {
        precondition(headerTimeout > .zero && idleTimeout > .zero, "timeouts are positive")
        precondition(maximumConnections > 0, "at least one connection is allowed")
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.maximumConnections = maximumConnections
    }
}
