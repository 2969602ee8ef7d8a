import CZeroMQ
import Foundation

/// A failed libzmq call: the operation, `zmq_errno()` at the moment it failed, and its
/// `zmq_strerror` text. Every throwing function of this module throws only this type.
public struct ZeroMQError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was being done, e.g. `"zmq_bind(tcp://127.0.0.1:*)"`.
    public let operation: String
    /// The value of `zmq_errno()` right after the failure (an errno value, or one of
    /// libzmq's own such as `ETERM`).
    public let code: Int32

    public init(operation: String, code: Int32) {
        self.operation = operation
        self.code = code
    }

    /// The system's text for `code`. The corresponding C function is `zmq_strerror`.
    public var message: String { String(cString: zmq_strerror(code)) }

    public var description: String { "\(operation) failed: \(message) (errno \(code))" }

    /// True when the context was shut down or terminated under a blocking call (`ETERM`):
    /// the owner of the socket should close it and stop.
    public var isContextTerminated: Bool { code == ZeroMQError.contextTerminated }

    /// libzmq's `ETERM`.
    public static let contextTerminated: Int32 = ZMQ_HAUSNUMERO + 53

    /// `EAGAIN`: thrown only where "try again" cannot be the answer, e.g. the middle of a
    /// multipart message that did not arrive.
    public static let resourceUnavailable: Int32 = EAGAIN
}

/// The one place where libzmq calls are made and their errors read.
///
/// Like swift-nio's syscall wrapper: `EINTR` is retried, `EAGAIN` (a non-blocking call
/// that could not go on, or a timeout) becomes `nil`, errors that can only mean a bug in
/// this module (`EFAULT`, `ENOTSOCK`) trap, and every other failure throws `ZeroMQError`.
enum LibZMQ {
    /// Runs `body`, which returns -1 on failure, until it does not fail with `EINTR`.
    /// Returns nil when it failed with `EAGAIN`.
    static func call(_ operation: @autoclosure () -> String,
                     _ body: () -> Int32) throws(ZeroMQError) -> Int32? {
        while true {
            let result = body()
            if result != -1 { return result }
            let code = zmq_errno()
            switch code {
            case EINTR:
                continue
            case EAGAIN:
                return nil
            case EFAULT, ENOTSOCK:
                preconditionFailure("\(operation()): \(String(cString: zmq_strerror(code))): a bug in ZeroMQ")
            default:
                throw ZeroMQError(operation: operation(), code: code)
            }
        }
    }

    /// Like `call`, for operations where `EAGAIN` is an error like any other.
    @discardableResult
    static func check(_ operation: @autoclosure () -> String,
                      _ body: () -> Int32) throws(ZeroMQError) -> Int32 {
        guard let result = try call(operation(), body) else {
            throw ZeroMQError(operation: operation(), code: ZeroMQError.resourceUnavailable)
        }
        return result
    }

    /// For functions that return a pointer, or NULL on failure (`zmq_socket`, `zmq_ctx_new`).
    static func pointer<T>(_ operation: @autoclosure () -> String,
                           _ body: () -> T?) throws(ZeroMQError) -> T {
        while true {
            if let result = body() { return result }
            let code = zmq_errno()
            if code == EINTR { continue }
            throw ZeroMQError(operation: operation(), code: code)
        }
    }

    /// Milliseconds for libzmq's `int` timeouts: nil means "forever" (-1).
    static func milliseconds(_ duration: Duration?) -> Int32 {
        guard let duration else { return -1 }
        precondition(duration >= .zero, "a ZeroMQ timeout cannot be negative: \(duration)")
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }

    /// The inverse of `milliseconds`: -1 (or any negative value) means forever (nil).
    static func duration(milliseconds: Int32) -> Duration? {
        milliseconds < 0 ? nil : .milliseconds(milliseconds)
    }
}
