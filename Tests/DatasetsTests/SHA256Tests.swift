import XCTest
import Datasets

final class SHA256Tests: XCTestCase {
    // Known answers from FIPS 180-4's examples (NIST CSRC) and RFC 6234.
    func testHash_Abc_MatchesFIPSExample() {
        XCTAssertEqual(SHA256.hash(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testHash_Empty_MatchesKnownAnswer() {
        XCTAssertEqual(SHA256.hash([]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    func testHash_448BitMessage_MatchesFIPSExample() {
        let message = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        XCTAssertEqual(message.count * 8, 448)
        XCTAssertEqual(SHA256.hash(message), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func testHash_MillionA_MatchesKnownAnswer() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        XCTAssertEqual(SHA256.hash(message), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testHash_PaddingBoundaries_DifferAndHaveFullLength() {
        // 55, 56 and 64 bytes put the length field in the same block, the next one, and after a full block.
        let digests = [55, 56, 63, 64, 65].map { SHA256.hash([UInt8](repeating: 0x61, count: $0)) }
        XCTAssertEqual(Set(digests).count, 5)
        XCTAssertTrue(digests.allSatisfy { $0.count == 64 })
        XCTAssertEqual(digests[0], "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
    }
}
