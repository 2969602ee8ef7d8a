/// One fuzz input read front to back as control bytes and parts, so that a target can feed a
/// decoder several pieces (a message's head and its frames) or choose how to call it. Reads
/// past the end give zeros and empty parts: every byte string is a valid input.
public struct FuzzInput {
    private var bytes: ArraySlice<UInt8>

    public init(_ bytes: [UInt8]) { self.bytes = bytes[...] }

    /// The next byte, or 0 at the end.
    public mutating func byte() -> UInt8 { bytes.popFirst() ?? 0 }

    /// The next two bytes as a little-endian number.
    public mutating func u16() -> Int { Int(byte()) | Int(byte()) << 8 }

    /// The next `count` bytes, or as many as are left.
    public mutating func take(_ count: Int) -> [UInt8] {
        let part = bytes.prefix(count)
        bytes = bytes.dropFirst(count)
        return Array(part)
    }

    /// Everything not read yet.
    public mutating func rest() -> [UInt8] { take(bytes.count) }
}
