import CZeroMQ

/// A typed socket option: its libzmq code, and how its value is laid out in bytes.
/// Read with `Socket.get(_:)`, write with `Socket.set(_:_:)`:
///
///     try socket.set(.receiveHighWaterMark, 1000)
///     try socket.set(.receiveTimeout, .milliseconds(500))
///     let port = try socket.lastEndpoint
public struct SocketOption<Value>: Sendable {
    /// The C name, e.g. "ZMQ_LINGER", for error messages.
    public let name: String
    let code: Int32
    /// The most bytes `zmq_getsockopt` may return.
    let capacity: Int
    let encode: @Sendable (Value) -> [UInt8]
    let decode: @Sendable ([UInt8]) -> Value
}

extension Socket {
    /// Sets `option` to `value`. The corresponding C function is `zmq_setsockopt`.
    public func set<Value>(_ option: SocketOption<Value>, _ value: Value) throws(ZeroMQError) {
        let bytes = option.encode(value)
        try LibZMQ.check("zmq_setsockopt(\(option.name))") {
            bytes.withUnsafeBytes { zmq_setsockopt(handle, option.code, $0.baseAddress, $0.count) }
        }
    }

    /// Reads `option`. Write-only options (`.routerMandatory`, `.routerHandover`,
    /// `.subscribe`) throw `EINVAL`. The corresponding C function is `zmq_getsockopt`.
    public func get<Value>(_ option: SocketOption<Value>) throws(ZeroMQError) -> Value {
        var buffer = [UInt8](repeating: 0, count: option.capacity)
        var size = buffer.count
        try LibZMQ.check("zmq_getsockopt(\(option.name))") {
            buffer.withUnsafeMutableBytes { zmq_getsockopt(handle, option.code, $0.baseAddress, &size) }
        }
        return option.decode(Array(buffer.prefix(size)))
    }

    /// The endpoint this socket last bound or connected to, with the port libzmq chose
    /// for "tcp://127.0.0.1:*", e.g. "tcp://127.0.0.1:39127". Option ZMQ_LAST_ENDPOINT.
    /// The corresponding C function is `zmq_getsockopt`.
    public var lastEndpoint: String {
        get throws(ZeroMQError) { try get(.lastEndpoint) }
    }
}

// MARK: - Encodings

extension SocketOption {
    init(_ name: String, _ code: Int32, capacity: Int,
         encode: @escaping @Sendable (Value) -> [UInt8], decode: @escaping @Sendable ([UInt8]) -> Value) {
        self.name = name
        self.code = code
        self.capacity = capacity
        self.encode = encode
        self.decode = decode
    }

    /// An option that libzmq stores as a C `int` (or `int64_t` when `Integer` is `Int64`).
    static func integer<Integer: FixedWidthInteger & Sendable>(
        _ name: String, _ code: Int32, as integer: Integer.Type,
        from: @escaping @Sendable (Integer) -> Value, to: @escaping @Sendable (Value) -> Integer
    ) -> SocketOption {
        SocketOption(name, code, capacity: MemoryLayout<Integer>.size,
                     encode: { value in withUnsafeBytes(of: to(value)) { Array($0) } },
                     decode: { bytes in from(bytes.withUnsafeBytes { $0.loadUnaligned(as: Integer.self) }) })
    }
}

extension SocketOption where Value == Bool {
    static func flag(_ name: String, _ code: Int32) -> Self {
        integer(name, code, as: Int32.self, from: { $0 != 0 }, to: { $0 ? 1 : 0 })
    }
}

extension SocketOption where Value == Int {
    static func count(_ name: String, _ code: Int32) -> Self {
        integer(name, code, as: Int32.self, from: { Int($0) }, to: { Int32(clamping: $0) })
    }
}

extension SocketOption where Value == Duration? {
    /// Milliseconds in a C `int`; -1 (nil) means forever.
    static func timeout(_ name: String, _ code: Int32) -> Self {
        integer(name, code, as: Int32.self,
                from: { LibZMQ.duration(milliseconds: $0) }, to: { LibZMQ.milliseconds($0) })
    }
}

extension SocketOption where Value == Duration {
    /// Milliseconds in a C `int`; 0 means off.
    static func interval(_ name: String, _ code: Int32) -> Self {
        integer(name, code, as: Int32.self,
                from: { LibZMQ.duration(milliseconds: $0) ?? .zero }, to: { LibZMQ.milliseconds($0) })
    }
}

extension SocketOption where Value == [UInt8] {
    static func bytes(_ name: String, _ code: Int32, capacity: Int) -> Self {
        SocketOption(name, code, capacity: capacity, encode: { $0 }, decode: { $0 })
    }
}

extension SocketOption where Value == String {
    /// Set without, read with, a terminating NUL.
    static func text(_ name: String, _ code: Int32, capacity: Int) -> Self {
        SocketOption(name, code, capacity: capacity,
                     encode: { Array($0.utf8) },
                     decode: { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) })
    }
}

extension SocketOption where Value == CurveKey {
    /// A CURVE key: set and read as its 32 binary bytes.
    static func curveKey(_ name: String, _ code: Int32) -> Self {
        SocketOption(name, code, capacity: CurveKey.byteCount,
                     encode: { $0.bytes }, decode: { CurveKey(bytes: $0) ?? CurveKey.zero })
    }
}
