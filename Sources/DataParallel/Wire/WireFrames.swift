/// A message as it travels: the head frame (header and typed fields) and the Float32 arrays
/// that follow it, one frame each (a step's parameters; a gradient's node sums). Arrays go
/// out without being copied: a ZeroMQ transport sends their storage in place, and a step's
/// parameters are one array shared by the frames of every worker.
public struct WireFrames: Sendable, Equatable {
    public var head: [UInt8]
    public var payloads: [[Float]]

    public init(head: [UInt8], payloads: [[Float]] = []) {
        self.head = head
        self.payloads = payloads
    }

    /// Calls `body` with the payloads' bytes in place, as a received ZeroMQ message's are read.
    func withPayloadBytes<R>(_ body: (ReceivedPayloads) throws -> R) rethrows -> R {
        // A native array's storage stays where it is while the array lives and is not mutated.
        try withExtendedLifetime(payloads) { try body(payloads.map { $0.withUnsafeBytes { $0 } }) }
    }
}

/// Float32 frames as they arrive, read in place: a received ZeroMQ frame's bytes, or an
/// array in memory. Valid while the frames that hold them live.
public typealias ReceivedPayloads = [UnsafeRawBufferPointer]

enum FloatFrame {
    /// The end of the reason a frame with NaN or ±∞ is refused for.
    static let nonFinite = "has NaN or infinite values"

    /// The values of a raw little-endian Float32 frame, copied out once. With `finite`, a
    /// frame holding NaN or ±∞ is refused as it is copied, so that what was checked is what
    /// is used. The frame's bytes may lie at any alignment (libzmq packs small frames).
    static func decode(_ raw: UnsafeRawBufferPointer, _ what: String, maximumCount: Int, finite: Bool) throws -> [Float] {
        guard raw.count % 4 == 0 else { throw WireError("\(what): a frame of \(raw.count) bytes is not whole Float32 values") }
        let n = raw.count / 4
        guard n <= maximumCount else { throw WireError("\(what): \(n) values, at most \(maximumCount) allowed") }
        var allFinite = true
        let values = [Float](unsafeUninitializedCapacity: n) { target, initialized in
            allFinite = copyCheckingFinite(raw, to: target)
            initialized = n
        }
        if finite && !allFinite { throw WireError("\(what) \(nonFinite)") }
        return values
    }

    /// Copies `source` (4 × `target.count` bytes) into `target`; whether every value is
    /// finite. v − v is 0 for every finite v and NaN for ±∞ and NaN, so the sum of those
    /// differences is 0 exactly when all values are finite. Unlike an integer test of the
    /// exponent bits (which needs SSE4.1's pmaxud, beyond the baseline x86-64 this builds
    /// for), this is plain vector float arithmetic: with the copy, 6 µs for 407 KB against
    /// 25 µs for a scalar loop.
    static func copyCheckingFinite(_ source: UnsafeRawBufferPointer, to target: UnsafeMutableBufferPointer<Float>) -> Bool {
        let n = target.count, blocks = n / 16
        precondition(source.count == n * 4)
        guard let from = source.baseAddress, let to = target.baseAddress.map(UnsafeMutableRawPointer.init) else { return true }
        var differences = SIMD16<Float>(repeating: 0)
        for b in 0..<blocks {
            let v = from.loadUnaligned(fromByteOffset: b * 64, as: SIMD16<Float>.self)
            to.storeBytes(of: v, toByteOffset: b * 64, as: SIMD16<Float>.self)
            differences += v - v
        }
        var rest: Float = 0
        for i in (blocks * 16)..<n {
            let v = from.loadUnaligned(fromByteOffset: i * 4, as: Float.self)
            target[i] = v
            rest += v - v
        }
        return differences.sum() + rest == 0
    }
}
