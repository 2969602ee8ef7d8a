import CZeroMQ

/// A ZeroMQ context: the I/O threads and the `inproc://` namespace that sockets share.
///
/// Every `Socket` holds a strong reference to its context, so the context is terminated
/// (in `deinit`) only after its last socket is closed, and termination cannot block on a
/// forgotten socket. Sockets are created with linger 0, so termination does not wait for
/// unsent messages either.
///
/// Creating the first context also tunes glibc's malloc for large messages (see
/// `ZeroMQLibrary.keepLargeMessageMemory`).
///
/// libzmq contexts are thread-safe: one context may be shared by sockets on many threads.
/// That is why it is `@unchecked Sendable`: the handle is only passed to libzmq, which
/// synchronises internally, and the Swift side holds no mutable state.
public final class Context: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    /// Creates a context with libzmq's defaults (one I/O thread).
    /// The corresponding C function is `zmq_ctx_new`.
    public init() throws(ZeroMQError) {
        _ = Context.allocatorPrepared
        handle = try LibZMQ.pointer("zmq_ctx_new") { zmq_ctx_new() }
    }

    /// The first context of the process calls `ZeroMQLibrary.keepLargeMessageMemory()`, so
    /// that every program that sends gradients gets fast large messages without asking.
    private static let allocatorPrepared: Void = ZeroMQLibrary.keepLargeMessageMemory()

    /// Creates a context with `ioThreads` background I/O threads (ZMQ_IO_THREADS).
    /// One thread is enough for about a gigabyte per second. The corresponding C function
    /// is `zmq_ctx_set`.
    public convenience init(ioThreads: Int) throws(ZeroMQError) {
        precondition(ioThreads >= 0, "ioThreads must be >= 0, not \(ioThreads)")
        try self.init()
        try LibZMQ.check("zmq_ctx_set(ZMQ_IO_THREADS, \(ioThreads))") {
            zmq_ctx_set(handle, ZMQ_IO_THREADS, Int32(clamping: ioThreads))
        }
    }

    /// Makes every blocking call on this context's sockets, on any thread, fail at once with
    /// `ETERM` (`ZeroMQError.isContextTerminated`); later calls fail the same way. Sockets
    /// still have to be released before the context is terminated. Use it to stop threads
    /// that block in `receive` or `Poller.poll`. The corresponding C function is
    /// `zmq_ctx_shutdown`.
    public func shutdown() {
        _ = zmq_ctx_shutdown(handle)
    }

    /// Terminates the context; retried while interrupted. The corresponding C function is
    /// `zmq_ctx_term`.
    deinit {
        while zmq_ctx_term(handle) == -1 && zmq_errno() == EINTR {}
    }
}

/// Facts about the libzmq this program runs with, for `digits doctor`.
public enum ZeroMQLibrary {
    /// libzmq's version as (major, minor, patch). The corresponding C function is `zmq_version`.
    public static var version: (major: Int, minor: Int, patch: Int) {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return (Int(major), Int(minor), Int(patch))
    }

    /// The version as text, e.g. "4.3.4".
    public static var versionString: String {
        let (major, minor, patch) = version
        return "\(major).\(minor).\(patch)"
    }

    /// Whether libzmq was built with `capability`: "ipc", "pgm", "tipc", "norm", "curve",
    /// "gssapi", "draft". The corresponding C function is `zmq_has`.
    public static func has(_ capability: String) -> Bool {
        zmq_has(capability) == 1
    }
}
