import CZeroMQ

/// One ZeroMQ message frame, owning a `zmq_msg_t`.
///
/// A received message's bytes are read in place with `withUnsafeBytes` (no copy beyond
/// the one libzmq made from the kernel; none at all over `inproc://`). A message made with
/// `init(sharing:)` or `init(bytesNoCopy:owner:)` is sent without copying its bytes.
///
/// Sending empties the message: libzmq takes its content, and `count` becomes 0.
/// The `zmq_msg_t` lives at a fixed heap address, because libzmq keeps small messages'
/// bytes inside the structure itself.
public final class Message {
    let pointer: UnsafeMutablePointer<zmq_msg_t>

    /// An empty message, ready to receive into or to send as an empty frame.
    /// The corresponding C function is `zmq_msg_init`.
    public init() {
        pointer = .allocate(capacity: 1)
        zmq_msg_init(pointer)
    }

    /// A message of `count` bytes, allocated by libzmq, to be filled through
    /// `withUnsafeMutableBytes`. Traps when out of memory, like any Swift allocation.
    /// The corresponding C function is `zmq_msg_init_size`.
    public init(count: Int) {
        precondition(count >= 0, "a message cannot have \(count) bytes")
        pointer = .allocate(capacity: 1)
        precondition(zmq_msg_init_size(pointer, count) == 0, "zmq_msg_init_size(\(count)): out of memory")
    }

    /// A message holding a copy of `bytes`.
    public convenience init(copying bytes: UnsafeRawBufferPointer) {
        self.init(count: bytes.count)
        if let source = bytes.baseAddress, bytes.count > 0 {
            zmq_msg_data(pointer).copyMemory(from: source, byteCount: bytes.count)
        }
    }

    /// A message holding a copy of `bytes`.
    public convenience init(_ bytes: some Sequence<UInt8>) {
        let array = Array(bytes)
        self.init(count: array.count)
        array.withUnsafeBytes { source in
            withUnsafeMutableBytes { $0.copyMemory(from: source) }
        }
    }

    /// A message holding `text` as UTF-8, without a terminating NUL.
    public convenience init(_ text: String) {
        self.init(Array(text.utf8))
    }

    /// Zero copy: a message whose bytes are `bytes` themselves. `owner` is retained until
    /// libzmq no longer needs the bytes (after the send completes, or, over inproc, when
    /// the receiver closes its message), then released from libzmq's thread. The bytes
    /// must stay valid and unchanged while `owner` lives.
    /// The corresponding C function is `zmq_msg_init_data`.
    public init(bytesNoCopy bytes: UnsafeRawBufferPointer, owner: AnyObject) {
        pointer = .allocate(capacity: 1)
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            zmq_msg_init(pointer)
            return
        }
        let hint = Unmanaged.passRetained(owner).toOpaque()
        let release: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void = { _, hint in
            Unmanaged<AnyObject>.fromOpaque(hint!).release()
        }
        if zmq_msg_init_data(pointer, UnsafeMutableRawPointer(mutating: base), bytes.count, release, hint) != 0 {
            Unmanaged<AnyObject>.fromOpaque(hint).release()
            preconditionFailure("zmq_msg_init_data(\(bytes.count)): out of memory")
        }
    }

    /// Zero copy: a message whose bytes are the storage of `elements` (e.g. a gradient as
    /// `[Float]`, sent as raw little-endian Float32 on the usual hosts). The message keeps
    /// that storage alive until libzmq is done with it; the caller may go on using and even
    /// changing its array, which then copies itself on write, leaving the message's bytes
    /// untouched. The corresponding C function is `zmq_msg_init_data`.
    public convenience init<Element: BitwiseCopyable>(sharing elements: [Element]) {
        let storage = SharedArray(elements)
        self.init(bytesNoCopy: storage.bytes, owner: storage)
    }

    /// Closes the message, releasing its content (and a zero-copy owner, if this was the
    /// last reference). The corresponding C function is `zmq_msg_close`.
    deinit {
        zmq_msg_close(pointer)
        pointer.deallocate()
    }

    /// The number of bytes. The corresponding C function is `zmq_msg_size`.
    public var count: Int { zmq_msg_size(pointer) }

    /// Whether more frames of the same multipart message follow this received one.
    /// The corresponding C function is `zmq_msg_more`.
    public var hasMore: Bool { zmq_msg_more(pointer) != 0 }

    /// Calls `body` with the message's bytes in place; they must not escape `body`.
    /// The corresponding C function is `zmq_msg_data`.
    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(start: zmq_msg_data(pointer), count: count))
    }

    /// Calls `body` with the message's bytes to fill them in, before the message is sent.
    /// The bytes of a zero-copy message belong to its owner: do not write those.
    public func withUnsafeMutableBytes<Result, Failure: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeMutableRawBufferPointer(start: zmq_msg_data(pointer), count: count))
    }

    /// A copy of the bytes.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// The bytes as UTF-8 text (invalid sequences are replaced).
    public var string: String { withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }

    /// A metadata property of a received message, such as "Peer-Address" (the remote IP of
    /// a tcp connection) or "User-Id" (what ZAP said of the peer); nil when it has none.
    /// The corresponding C function is `zmq_msg_gets`.
    public func property(_ name: String) -> String? {
        guard let value = zmq_msg_gets(pointer, name) else { return nil }
        return String(cString: value)
    }
}

/// The owner of a zero-copy `[Element]`: an immutable copy of the array (which shares its
/// storage, so nothing is copied), whose storage address is stable while it is held and
/// not mutated.
final class SharedArray<Element: BitwiseCopyable> {
    let elements: [Element]
    let bytes: UnsafeRawBufferPointer

    init(_ elements: [Element]) {
        self.elements = elements
        // A native array's storage does not move unless the array is mutated, and this
        // one never is: the pointer stays valid for the life of `self`.
        bytes = elements.withUnsafeBytes { $0 }
    }
}
