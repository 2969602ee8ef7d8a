import XCTest
import ZeroMQ

final class CurveTests: XCTestCase {
    func testZ85_RFC32Example_EncodesToHelloWorld() {
        let bytes: [UInt8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]
        XCTAssertEqual(Z85.encode(bytes), "HelloWorld")
        XCTAssertEqual(Z85.decode("HelloWorld"), bytes)
    }

    func testZ85_RandomBytes_RoundTripOverManySeeds() {
        for seed in 0..<50 {
            var generator = SplitMix64(seed: UInt64(seed))
            let bytes = (0..<(4 * (seed % 12))).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = Z85.encode(bytes)
            XCTAssertEqual(text?.utf8.count, bytes.count / 4 * 5, "seed \(seed)")
            XCTAssertEqual(text.flatMap(Z85.decode), bytes, "seed \(seed)")
        }
    }

    func testZ85_InvalidInput_ReturnsNil() {
        XCTAssertNil(Z85.encode([1, 2, 3]), "not a multiple of 4 bytes")
        XCTAssertNil(Z85.decode("Hello"+"Worl"), "not a multiple of 5 characters")
        XCTAssertNil(Z85.decode("Hello Wor\u{7F}"), "characters outside the alphabet")
        XCTAssertNil(Z85.decode("Hell\0World"), "an embedded NUL")
    }

    func testCurveKey_Z85_RoundTripsAndRejectsWrongLengths() throws {
        let pair = try CurveKeyPair.generate()
        XCTAssertEqual(pair.publicKey.z85.utf8.count, 40)
        XCTAssertEqual(CurveKey(z85: pair.publicKey.z85), pair.publicKey)
        XCTAssertNotEqual(pair.publicKey, pair.secretKey)
        XCTAssertNil(CurveKey(bytes: [UInt8](repeating: 1, count: 31)))
        XCTAssertNil(CurveKey(z85: "HelloWorld"))
    }

    func testCurveKeyPair_FromSecretKey_DerivesTheSamePublicKey() throws {
        let pair = try CurveKeyPair.generate()
        XCTAssertEqual(try CurveKeyPair(secretKey: pair.secretKey), pair)
        XCTAssertNotEqual(try CurveKeyPair.generate(), pair, "two generated pairs are different")
    }
}

/// A small seedable generator for repeatable random tests.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
