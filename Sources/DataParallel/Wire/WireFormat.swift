/// A message that cannot be decoded, with what was wrong. Decoders throw this for any
/// input they cannot read; they never trap.
public struct WireError: Error, CustomStringConvertible, Equatable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Appends little-endian fields to a byte buffer.
public struct WireWriter {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    public mutating func u8(_ v: UInt8) { bytes.append(v) }
    public mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func f64(_ v: Double) { u64(v.bitPattern) }
    public mutating func int(_ v: Int) { u32(UInt32(truncatingIfNeeded: v)) }

    /// A string as a u32 byte count and UTF-8 bytes.
    public mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        u32(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// Bytes as a u32 count and the bytes.
    public mutating func blob(_ b: [UInt8]) {
        u32(UInt32(b.count))
        bytes.append(contentsOf: b)
    }
}

/// Reads little-endian fields, checking every length against what is left before reading.
public struct WireReader {
    let bytes: [UInt8]
    public private(set) var offset: Int
    /// Upper bound on any one array, so that a forged count cannot make us allocate.
    let maximumCount: Int

    public init(_ bytes: [UInt8], offset: Int = 0, maximumCount: Int = 1 << 28) {
        self.bytes = bytes
        self.offset = offset
        self.maximumCount = maximumCount
    }

    public var remaining: Int { bytes.count - offset }

    mutating func take(_ n: Int, _ what: String) throws -> ArraySlice<UInt8> {
        guard n >= 0, n <= remaining else {
            throw WireError("truncated: \(what) needs \(n) bytes, \(remaining) left")
        }
        defer { offset += n }
        return bytes[offset..<(offset + n)]
    }

    mutating func fixed<T: FixedWidthInteger>(_ type: T.Type, _ what: String) throws -> T {
        let slice = try take(MemoryLayout<T>.size, what)
        var v: T = 0
        for (i, b) in slice.enumerated() { v |= T(b) << (8 * i) }
        return v
    }

    public mutating func u8(_ what: String) throws -> UInt8 { try fixed(UInt8.self, what) }
    public mutating func u16(_ what: String) throws -> UInt16 { try fixed(UInt16.self, what) }
    public mutating func u32(_ what: String) throws -> UInt32 { try fixed(UInt32.self, what) }
    public mutating func u64(_ what: String) throws -> UInt64 { try fixed(UInt64.self, what) }
    public mutating func f64(_ what: String) throws -> Double { Double(bitPattern: try u64(what)) }
    public mutating func int(_ what: String) throws -> Int { Int(try u32(what)) }

    mutating func count(_ what: String, elementSize: Int) throws -> Int {
        let n = Int(try u32("\(what) count"))
        guard n <= maximumCount, n * elementSize <= remaining else {
            throw WireError("\(what): \(n) elements of \(elementSize) bytes do not fit in the \(remaining) bytes left")
        }
        return n
    }

    public mutating func string(_ what: String) throws -> String {
        let n = try count(what, elementSize: 1)
        let slice = try take(n, what)
        guard let s = String(validating: slice, as: UTF8.self) else { throw WireError("\(what) is not valid UTF-8") }
        return s
    }

    public mutating func blob(_ what: String) throws -> [UInt8] {
        Array(try take(try count(what, elementSize: 1), what))
    }

    /// Fails unless every byte was read.
    public func finish(_ what: String) throws {
        guard remaining == 0 else { throw WireError("\(remaining) unexpected trailing bytes after \(what)") }
    }
}
