import XCTest
@testable import ZeroMQ

final class ZAPHandlerTests: XCTestCase {
    /// A CURVE ROUTER on tcp loopback, and a CURVE DEALER with `client` keys connected to it.
    private func makeCurvePair(_ context: Context, server: CurveKeyPair, client: CurveKeyPair,
                               receiveTimeout: Duration = testTimeout) throws -> (router: Socket, dealer: Socket) {
        try makeRouterAndDealer(context, endpoint: "tcp://127.0.0.1:*", configureRouter: {
            try $0.makeCurveServer(secretKey: server.secretKey, zapDomain: "workers")
            try $0.set(.receiveTimeout, receiveTimeout)
        }, configureDealer: {
            try $0.makeCurveClient(keyPair: client, serverKey: server.publicKey)
        })
    }

    func testZAPHandler_ListedClientKey_IsAdmittedOverTCP() throws {
        let context = try Context()
        let (server, client) = (try CurveKeyPair.generate(), try CurveKeyPair.generate())
        let handler = try ZAPHandler(context: context, domain: "workers", allowedKeys: [client.publicKey])
        defer { handler.stop() }
        let (router, dealer) = try makeCurvePair(context, server: server, client: client)
        try assertRoundTrip(router: router, dealer: dealer)
        XCTAssertEqual(handler.refusals, [])
    }

    func testZAPHandler_UnknownClientKey_IsRefusedAndReported() throws {
        let context = try Context()
        let (server, listed, stranger) = (try CurveKeyPair.generate(), try CurveKeyPair.generate(), try CurveKeyPair.generate())
        let reported = LockedBox<[ZAPRefusal]>([])
        let handler = try ZAPHandler(context: context, allowedKeys: [listed.publicKey]) { refusal in
            reported.update { $0.append(refusal) }
        }
        defer { handler.stop() }
        let (router, dealer) = try makeCurvePair(context, server: server, client: stranger,
                                                 receiveTimeout: .milliseconds(300))
        try dealer.send("let me in", flags: .dontWait)
        XCTAssertNil(try router.receiveMultipart(), "a client with an unknown key got through")
        XCTAssertTrue(eventually { !reported.value.isEmpty }, "the refusal was not reported")
        let refusal = try XCTUnwrap(reported.value.first)
        XCTAssertEqual(refusal.publicKeyZ85, stranger.publicKey.z85)
        XCTAssertEqual(refusal.address, "127.0.0.1")
        XCTAssertEqual(refusal.mechanism, "CURVE")
        XCTAssertEqual(refusal.domain, "workers")
        XCTAssertEqual(handler.refusals.first, refusal)
    }

    func testCurveServer_WithoutZAPHandler_RefusesEveryone() throws {
        let context = try Context()
        let (server, client) = (try CurveKeyPair.generate(), try CurveKeyPair.generate())
        let (router, dealer) = try makeCurvePair(context, server: server, client: client,
                                                 receiveTimeout: .milliseconds(300))
        try dealer.send("anyone home?", flags: .dontWait)
        XCTAssertNil(try router.receiveMultipart(), "a CURVE server without a ZAP handler must fail closed")
    }

    func testZAPHandler_AllowAfterStart_AdmitsTheNewKey() throws {
        let context = try Context()
        let (server, client) = (try CurveKeyPair.generate(), try CurveKeyPair.generate())
        let handler = try ZAPHandler(context: context, allowedKeys: [])
        defer { handler.stop() }
        handler.allow(client.publicKey)
        let (router, dealer) = try makeCurvePair(context, server: server, client: client)
        try assertRoundTrip(router: router, dealer: dealer)
    }

    func testZAPHandler_SecondHandlerInOneContext_ThrowsAddressInUse() throws {
        let context = try Context()
        let first = try ZAPHandler(context: context, allowedKeys: [])
        defer { first.stop() }
        XCTAssertThrowsError(try ZAPHandler(context: context, allowedKeys: [])) { error in
            XCTAssertEqual((error as? ZeroMQError)?.code, EADDRINUSE)
        }
    }

    func testZAPHandler_StopTwiceAndDeinit_EndTheThreadQuickly() throws {
        let context = try Context()
        let clock = ContinuousClock()
        let start = clock.now
        let handler = try ZAPHandler(context: context, allowedKeys: [])
        handler.stop()
        handler.stop()
        _ = try ZAPHandler(context: context, allowedKeys: []) // the endpoint is free again; deinit stops it
        XCTAssertLessThan(clock.now - start, .seconds(1))
    }

    func testZAPPolicy_MalformedAndForeignRequests_AreRefused() throws {
        let key = try CurveKeyPair.generate().publicKey
        let policy = ZAPPolicy(domain: "workers", allowed: [key], onRefusal: nil)
        func request(domain: String = "workers", mechanism: String = "CURVE", credentials: [[UInt8]]) -> [[UInt8]] {
            [Array("1.0".utf8), Array("7".utf8), Array(domain.utf8), Array("10.0.0.1".utf8), [], Array(mechanism.utf8)]
                + credentials
        }
        func status(_ reply: [[UInt8]]) -> String { String(decoding: reply[2], as: UTF8.self) }

        let admitted = policy.answer(request(credentials: [key.bytes]))
        XCTAssertEqual(admitted.map { String(decoding: $0, as: UTF8.self) }, ["1.0", "7", "200", "OK", key.z85, ""])
        XCTAssertEqual(status(policy.answer(request(domain: "other", credentials: [key.bytes]))), "400")
        XCTAssertEqual(status(policy.answer(request(mechanism: "NULL", credentials: []))), "400")
        XCTAssertEqual(status(policy.answer(request(credentials: [[1, 2, 3]]))), "400")
        XCTAssertEqual(status(policy.answer([Array("0.9".utf8), Array("8".utf8)])), "500")
        XCTAssertEqual(status(policy.answer([])), "500")
        XCTAssertEqual(policy.refusals.map(\.reason), [
            "unknown ZAP domain \"other\"", "mechanism NULL is not accepted, only CURVE", "malformed CURVE credentials",
        ])
    }
}
