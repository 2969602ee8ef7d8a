import XCTest
@testable import ZeroMQ

/// An owner of zero-copy bytes that records when it is freed.
private final class TrackedBuffer {
    let bytes: UnsafeMutableRawBufferPointer
    let freed: LockedBox<Bool>

    init(count: Int, freed: LockedBox<Bool>) {
        bytes = .allocate(byteCount: count, alignment: 16)
        for index in 0..<count { bytes[index] = UInt8(truncatingIfNeeded: index * 7) }
        self.freed = freed
    }

    deinit {
        // Scribble before freeing, so a use after free shows as wrong bytes.
        bytes.initializeMemory(as: UInt8.self, repeating: 0xEE)
        bytes.deallocate()
        freed.update { $0 = true }
    }
}

final class MessageTests: XCTestCase {
    func testMessage_FromBytesAndText_HoldsCopies() {
        var bytes: [UInt8] = [1, 2, 3]
        let message = Message(bytes)
        bytes[0] = 9
        XCTAssertEqual(message.bytes, [1, 2, 3])
        XCTAssertEqual(Message("héllo").string, "héllo")
        XCTAssertEqual(Message().count, 0)
        let filled = Message(count: 4)
        filled.withUnsafeMutableBytes { $0.copyBytes(from: [4, 3, 2, 1]) }
        XCTAssertEqual(filled.bytes, [4, 3, 2, 1])
    }

    func testSend_TakesTheContent_LeavingTheMessageEmpty() throws {
        let context = try Context()
        let (router, dealer) = try makeRouterAndDealer(context, endpoint: "inproc://empties")
        let message = Message("payload")
        XCTAssertEqual(try dealer.send(message), .sent)
        XCTAssertEqual(message.count, 0)
        XCTAssertEqual(try router.receiveMultipart()?.last?.string, "payload")
    }

    func testZeroCopySend_OverInproc_OwnerLivesUntilTheReceiverClosesItsMessage() throws {
        let context = try Context()
        let (router, dealer) = try makeRouterAndDealer(context, endpoint: "inproc://zero-copy")
        let freed = LockedBox(false)
        do {
            let buffer = TrackedBuffer(count: 4096, freed: freed)
            try dealer.send(Message(bytesNoCopy: UnsafeRawBufferPointer(buffer.bytes), owner: buffer))
        }
        XCTAssertFalse(freed.value, "the buffer was freed while libzmq still held it")
        let frames = try XCTUnwrap(router.receiveMultipart())
        XCTAssertFalse(freed.value)
        XCTAssertTrue(frames[1].withUnsafeBytes { bytes in
            bytes.indices.allSatisfy { bytes[$0] == UInt8(truncatingIfNeeded: $0 * 7) }
        }, "the bytes changed on the way")
        _ = consume frames
        XCTAssertTrue(freed.value, "the owner was never released")
    }

    func testZeroCopySend_FloatsDroppedAfterSending_ArriveIntactOverTCP() throws {
        let context = try Context()
        let (router, dealer) = try makeRouterAndDealer(context, endpoint: "tcp://127.0.0.1:*")
        let expected = (0..<101_770).map { Float($0) * 0.5 - 1000 }
        do {
            var floats = expected
            try dealer.send(Message(sharing: floats))
            floats[0] = .nan // copies on write: the message's bytes stay as sent
            floats = []
        }
        let frames = try XCTUnwrap(router.receiveMultipart())
        XCTAssertEqual(frames[1].count, expected.count * MemoryLayout<Float>.size)
        let received = frames[1].withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        XCTAssertEqual(received, expected)
    }

    func testSharing_EmptyArray_SendsAnEmptyFrame() throws {
        let context = try Context()
        let (router, dealer) = try makeRouterAndDealer(context, endpoint: "inproc://empty-array")
        try dealer.send(Message(sharing: [Float]()))
        let frames = try XCTUnwrap(router.receiveMultipart())
        XCTAssertEqual(frames[1].count, 0)
    }
}
