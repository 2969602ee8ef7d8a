import Foundation
import XCTest
@testable import ZeroMQ

final class TransportTests: XCTestCase {
    func testRouterDealer_OverTCP_RoundTrips() throws {
        let context = try Context()
        let (router, dealer) = try makeRouterAndDealer(context, endpoint: "tcp://127.0.0.1:*")
        let endpoint = try router.lastEndpoint
        XCTAssertTrue(endpoint.hasPrefix("tcp://127.0.0.1:"), endpoint)
        let port = try XCTUnwrap(Int(endpoint.split(separator: ":").last ?? ""), endpoint)
        XCTAssertGreaterThan(port, 0)
        try assertRoundTrip(router: router, dealer: dealer)
    }

    func testRouterDealer_OverIPC_RoundTrips() throws {
        let (endpoint, path) = temporaryIPCEndpoint()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let context = try Context()
        let (router, dealer) = try makeRouterAndDealer(context, endpoint: endpoint)
        XCTAssertEqual(try router.lastEndpoint, endpoint)
        try assertRoundTrip(router: router, dealer: dealer)
    }

    func testRouterDealer_OverInproc_RoundTrips() throws {
        let context = try Context()
        let (router, dealer) = try makeRouterAndDealer(context, endpoint: "inproc://transport-test")
        try assertRoundTrip(router: router, dealer: dealer)
    }

    func testRoutingID_SetOnDealer_IsTheFirstFrameAtTheRouter() throws {
        let context = try Context()
        let (router, dealer) = try makeRouterAndDealer(context, endpoint: "inproc://routing-id",
                                                       configureDealer: { try $0.set(.routingID, Array("worker-7".utf8)) })
        XCTAssertEqual(try dealer.get(.routingID), Array("worker-7".utf8))
        try dealer.send("hello")
        let frames = try XCTUnwrap(router.receiveMultipart())
        XCTAssertEqual(frames.map(\.string), ["worker-7", "hello"])
    }

    func testMultipart_FramesArriveTogetherInOrder() throws {
        let context = try Context()
        let (router, dealer) = try makeRouterAndDealer(context, endpoint: "tcp://127.0.0.1:*")
        try dealer.send(multipart: [Message("header"), Message([1, 2, 3]), Message()])
        let frames = try XCTUnwrap(router.receiveMultipart())
        XCTAssertEqual(frames.count, 4)
        XCTAssertEqual(frames[1].string, "header")
        XCTAssertEqual(frames[2].bytes, [1, 2, 3])
        XCTAssertEqual(frames[3].count, 0)
        XCTAssertEqual(frames.map(\.hasMore), [true, true, true, false])
    }

    func testTenMegabyteMessage_OverTCP_IsReceivedWhole() throws {
        let context = try Context()
        let (router, dealer) = try makeRouterAndDealer(context, endpoint: "tcp://127.0.0.1:*")
        let size = 10 * 1024 * 1024
        var payload = [UInt8](repeating: 0x5A, count: size)
        for index in stride(from: 0, to: size, by: 4093) { payload[index] = UInt8(truncatingIfNeeded: index >> 12) }
        try dealer.send(Message(sharing: payload))
        let frames = try XCTUnwrap(router.receiveMultipart())
        XCTAssertEqual(frames.count, 2)
        XCTAssertEqual(frames[1].count, size)
        let same = frames[1].withUnsafeBytes { received in
            payload.withUnsafeBytes { memcmp(received.baseAddress!, $0.baseAddress!, size) == 0 }
        }
        XCTAssertTrue(same, "the bytes differ")
    }

    func testReceive_WithTimeout_ReturnsNilAfterTheTimeout() throws {
        let context = try Context()
        let socket = try Socket(.dealer, in: context)
        try socket.set(.receiveTimeout, .milliseconds(50))
        XCTAssertEqual(try socket.get(.receiveTimeout), .milliseconds(50))
        let clock = ContinuousClock()
        let start = clock.now
        XCTAssertNil(try socket.receive())
        let waited = clock.now - start
        XCTAssertGreaterThanOrEqual(waited, .milliseconds(40))
        XCTAssertLessThan(waited, .seconds(1))
    }

    func testReceive_DontWait_NothingWaiting_ReturnsNil() throws {
        let context = try Context()
        let (router, _) = try makeRouterAndDealer(context, endpoint: "inproc://empty")
        XCTAssertNil(try router.receive(flags: .dontWait))
        XCTAssertNil(try router.receiveMultipart(flags: .dontWait))
    }

    func testSend_DontWait_NoPeer_ReturnsWouldBlock() throws {
        let context = try Context()
        let dealer = try Socket(.dealer, in: context)
        XCTAssertEqual(try dealer.send("nobody", flags: .dontWait), .wouldBlock)
        let message = Message("kept")
        XCTAssertEqual(try dealer.send(message, flags: .dontWait), .wouldBlock)
        XCTAssertEqual(message.string, "kept", "a message that was not sent keeps its bytes")
    }

    func testRouterMandatory_UnknownPeer_ThrowsHostUnreachable() throws {
        let context = try Context()
        let router = try Socket(.router, in: context)
        try router.set(.routerMandatory, true)
        XCTAssertThrowsError(try router.send(multipart: [Message("nobody"), Message("hello")])) { error in
            XCTAssertEqual((error as? ZeroMQError)?.code, EHOSTUNREACH)
        }
    }

    func testBind_SameAddressTwice_ThrowsWithErrnoAndText() throws {
        let context = try Context()
        let first = try Socket(.router, in: context)
        try first.bind("tcp://127.0.0.1:*")
        let second = try Socket(.router, in: context)
        XCTAssertThrowsError(try second.bind(first.lastEndpoint)) { error in
            let error = error as? ZeroMQError
            XCTAssertEqual(error?.code, EADDRINUSE)
            XCTAssertEqual(error?.message, String(cString: strerror(EADDRINUSE)))
            XCTAssertTrue(error?.description.contains("zmq_bind(tcp://127.0.0.1:") == true)
        }
    }

    func testMaximumMessageSize_OversizedMessage_IsNotDelivered() throws {
        let context = try Context()
        let (router, dealer) = try makeRouterAndDealer(context, endpoint: "tcp://127.0.0.1:*", configureRouter: {
            try $0.set(.maximumMessageSize, 1000)
            try $0.set(.receiveTimeout, .milliseconds(200))
        })
        XCTAssertEqual(try router.get(.maximumMessageSize), 1000)
        try dealer.send([UInt8](repeating: 7, count: 2000))
        XCTAssertNil(try router.receiveMultipart(), "a message over ZMQ_MAXMSGSIZE was delivered")
    }
}
