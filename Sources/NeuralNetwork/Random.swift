/// A seedable random number generator whose algorithm is fixed and written down here, so
/// that a seed means the same numbers on every machine, OS and Swift version.
///
/// The algorithm is SplitMix64 (Steele, Lea & Flood, 2014; Vigna's reference code):
///
///     state ← state + 0x9E3779B97F4A7C15
///     z ← state
///     z ← (z ⊕ (z ≫ 30)) · 0xBF58476D1CE4E5B9
///     z ← (z ⊕ (z ≫ 27)) · 0x94D049BB133111EB
///     return z ⊕ (z ≫ 31)
///
/// (all arithmetic modulo 2⁶⁴). The standard library's generator cannot be seeded, and its
/// `shuffle`/`random(in:)` algorithms may change between releases, so this file also fixes
/// how bounded integers, floats and shuffles are drawn.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for one named stream of a seed, e.g. `(seed, epoch, shard)`: each value is
    /// folded into the state through a SplitMix64 step, so neighbouring streams are unrelated.
    public init(seed: UInt64, stream: UInt64...) {
        var g = SeededGenerator(seed: seed)
        for s in stream {
            g.state = g.next() ^ (s &* 0xD6E8FEB86659FD93)
        }
        state = g.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0..<bound`, without modulo bias (Lemire's multiply-and-reject).
    public mutating func next(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let b = UInt64(bound)
        while true {
            let product = next().multipliedFullWidth(by: b)
            if product.low >= (0 &- b) % b { return Int(product.high) }
        }
    }

    /// A uniform `Float` in [0, 1): the top 24 bits of one draw, times 2⁻²⁴ (exact).
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// A uniform `Float` in [-limit, limit).
    public mutating func nextFloat(limit: Float) -> Float {
        (nextUnitFloat() * 2 - 1) * limit
    }

    /// Fisher–Yates shuffle, from the last element down, with `next(below:)`.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = next(below: i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }

    /// A random permutation of `0..<count`.
    public mutating func permutation(_ count: Int) -> [Int] {
        var p = Array(0..<count)
        shuffle(&p)
        return p
    }
}
