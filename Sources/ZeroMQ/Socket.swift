import CZeroMQ

/// A ZeroMQ socket. It owns its libzmq handle and closes it in `deinit`.
///
/// Sockets are not thread-safe, so `Socket` is not `Sendable`: create it, use it and drop
/// it on one thread (or one isolation domain). It keeps its `Context` alive.
///
/// New sockets have linger 0 (ZMQ_LINGER): closing one discards its unsent messages at once,
/// so neither `deinit` nor the context's termination can hang on a dead peer. Set
/// `.linger` to wait longer.
public final class Socket {
    /// The socket types. Patterns: ROUTER/DEALER (the coordinator and its workers),
    /// REQ/REP, PUB/SUB, PUSH/PULL, PAIR.
    public enum Kind: Sendable, CaseIterable {
        case pair, publisher, subscriber, request, reply, dealer, router, pull, push

        var code: Int32 {
            switch self {
            case .pair: ZMQ_PAIR
            case .publisher: ZMQ_PUB
            case .subscriber: ZMQ_SUB
            case .request: ZMQ_REQ
            case .reply: ZMQ_REP
            case .dealer: ZMQ_DEALER
            case .router: ZMQ_ROUTER
            case .pull: ZMQ_PULL
            case .push: ZMQ_PUSH
            }
        }
    }

    /// The context this socket belongs to; kept alive while the socket lives.
    public let context: Context
    public let kind: Kind
    let handle: UnsafeMutableRawPointer

    /// Creates a socket of `kind` in `context`, with linger 0.
    /// The corresponding C function is `zmq_socket`.
    public init(_ kind: Kind, in context: Context) throws(ZeroMQError) {
        self.context = context
        self.kind = kind
        handle = try LibZMQ.pointer("zmq_socket(\(kind))") { zmq_socket(context.handle, kind.code) }
        try set(.linger, .zero)
    }

    /// Closes the socket; with linger 0 its unsent messages are dropped.
    /// The corresponding C function is `zmq_close`.
    deinit {
        _ = zmq_close(handle)
    }

    /// Accepts connections on `endpoint`: "tcp://127.0.0.1:5555", "tcp://127.0.0.1:*" (any
    /// free port, read it back with `lastEndpoint`), "ipc:///tmp/name", "inproc://name".
    /// The corresponding C function is `zmq_bind`.
    public func bind(_ endpoint: String) throws(ZeroMQError) {
        try LibZMQ.check("zmq_bind(\(endpoint))") { zmq_bind(handle, endpoint) }
    }

    /// Connects to `endpoint`. Returns at once: libzmq connects (and reconnects) in the
    /// background, and messages wait in the queue meanwhile (unless `.immediate` is set).
    /// The corresponding C function is `zmq_connect`.
    public func connect(_ endpoint: String) throws(ZeroMQError) {
        try LibZMQ.check("zmq_connect(\(endpoint))") { zmq_connect(handle, endpoint) }
    }

    /// Stops accepting on `endpoint` (as returned by `lastEndpoint` when bound with `*`).
    /// The corresponding C function is `zmq_unbind`.
    public func unbind(_ endpoint: String) throws(ZeroMQError) {
        try LibZMQ.check("zmq_unbind(\(endpoint))") { zmq_unbind(handle, endpoint) }
    }

    /// Disconnects from `endpoint`. The corresponding C function is `zmq_disconnect`.
    public func disconnect(_ endpoint: String) throws(ZeroMQError) {
        try LibZMQ.check("zmq_disconnect(\(endpoint))") { zmq_disconnect(handle, endpoint) }
    }
}

/// One socket, one thread: libzmq sockets must not be used concurrently.
@available(*, unavailable)
extension Socket: Sendable {}
