import XCTest
import ZeroMQ

final class SocketOptionTests: XCTestCase {
    func testNewSocket_HasLingerZero() throws {
        let socket = try Socket(.dealer, in: Context())
        XCTAssertEqual(try socket.get(.linger), .zero)
        try socket.set(.linger, nil)
        XCTAssertNil(try socket.get(.linger), "nil means wait forever (-1)")
        try socket.set(.linger, .zero)
    }

    func testOptions_SetThenGet_ReturnTheSameValues() throws {
        let socket = try Socket(.router, in: Context())
        try socket.set(.sendHighWaterMark, 10)
        try socket.set(.receiveHighWaterMark, 20)
        try socket.set(.sendTimeout, .milliseconds(1500))
        try socket.set(.heartbeatInterval, .milliseconds(250))
        try socket.set(.heartbeatTimeout, .seconds(1))
        try socket.set(.heartbeatTTL, .seconds(3))
        try socket.set(.reconnectInterval, .milliseconds(50))
        try socket.set(.maximumMessageSize, 1 << 33)
        try socket.set(.immediate, true)
        try socket.set(.zapDomain, "digits")
        try socket.set(.routerMandatory, true)
        try socket.set(.routerHandover, true)

        XCTAssertEqual(try socket.get(.sendHighWaterMark), 10)
        XCTAssertEqual(try socket.get(.receiveHighWaterMark), 20)
        XCTAssertEqual(try socket.get(.sendTimeout), .milliseconds(1500))
        XCTAssertEqual(try socket.get(.heartbeatInterval), .milliseconds(250))
        XCTAssertEqual(try socket.get(.heartbeatTimeout), .seconds(1))
        XCTAssertEqual(try socket.get(.heartbeatTTL), .seconds(3))
        XCTAssertEqual(try socket.get(.reconnectInterval), .milliseconds(50))
        XCTAssertEqual(try socket.get(.maximumMessageSize), 1 << 33, "ZMQ_MAXMSGSIZE is 64-bit")
        XCTAssertEqual(try socket.get(.immediate), true)
        XCTAssertEqual(try socket.get(.zapDomain), "digits")
    }

    func testOptions_Defaults_MeanNoLimit() throws {
        let socket = try Socket(.router, in: Context())
        XCTAssertNil(try socket.get(.receiveTimeout), "the default waits forever")
        XCTAssertNil(try socket.get(.maximumMessageSize), "the default is no limit")
        XCTAssertEqual(try socket.get(.heartbeatInterval), .zero, "heartbeats are off by default")
    }

    func testCurveOptions_SetThenGet_ReturnTheKeys() throws {
        let pair = try CurveKeyPair.generate()
        let server = try CurveKeyPair.generate()
        let socket = try Socket(.dealer, in: Context())
        try socket.makeCurveClient(keyPair: pair, serverKey: server.publicKey)
        XCTAssertEqual(try socket.get(.curvePublicKey), pair.publicKey)
        XCTAssertEqual(try socket.get(.curveSecretKey), pair.secretKey)
        XCTAssertEqual(try socket.get(.curveServerKey), server.publicKey)
        XCTAssertEqual(try socket.get(.curveServer), false)
    }

    func testMakeCurveServer_EnforcesTheZAPDomain() throws {
        let socket = try Socket(.router, in: Context())
        try socket.makeCurveServer(secretKey: CurveKeyPair.generate().secretKey, zapDomain: "workers")
        XCTAssertEqual(try socket.get(.curveServer), true)
        XCTAssertEqual(try socket.get(.zapEnforceDomain), true)
        XCTAssertEqual(try socket.get(.zapDomain), "workers")
    }

    func testWriteOnlyOption_Get_ThrowsInvalidArgument() throws {
        let socket = try Socket(.router, in: Context())
        XCTAssertThrowsError(try socket.get(.routerMandatory)) { error in
            XCTAssertEqual((error as? ZeroMQError)?.code, EINVAL)
            XCTAssertTrue("\(error)".contains("ZMQ_ROUTER_MANDATORY"), "\(error)")
        }
    }

    func testLibrary_ReportsVersionAndCurve() {
        XCTAssertGreaterThanOrEqual(ZeroMQLibrary.version.major, 4)
        XCTAssertEqual(ZeroMQLibrary.versionString.split(separator: ".").count, 3)
        XCTAssertTrue(ZeroMQLibrary.has("curve"), "Debian's libzmq5 is built with CURVE")
        XCTAssertFalse(ZeroMQLibrary.has("no-such-transport"))
    }
}
