import DrawServer
import Foundation
import Hummingbird
import XCTest

/// Clients that connect and then send slowly, or nothing, lose their connection within the
/// server's limits, and the server goes on serving everyone else.
final class ConnectionLimitTests: XCTestCase {
    func testPartialRequestLine_Is408AfterTheHeaderTimeout() async throws {
        try await withServer(limits: .init(headerTimeout: .seconds(1))) { client in
            let started = ContinuousClock.now
            let response = try LoopbackClient.parse(await client.rawExchange(Array("GET /api/mod".utf8)))
            try assertRefused(response, .requestTimeout, mentioning: "did not arrive within 1 s")
            XCTAssertEqual(response.headers[.connection], "close")
            XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
        }
    }

    /// A half-open connection, as a port scanner or a browser's unused preconnection makes.
    func testConnectionThatSendsNothing_Is408AfterTheHeaderTimeout() async throws {
        try await withServer(limits: .init(headerTimeout: .seconds(1))) { client in
            let response = try LoopbackClient.parse(await client.rawExchange([]))
            try assertRefused(response, .requestTimeout, mentioning: "did not arrive within 1 s")
        }
    }

    /// The timer stops at the head: a request answered after the header timeout is not cut off.
    func testRequestWhoseHeadCameInTime_IsAnswered_NotTimedOut() async throws {
        try await withServer(limits: .init(headerTimeout: .milliseconds(300))) { client in
            let connection = try await HeldConnection(port: client.port)
            let first = try await connection.exchange(LoopbackClient.keepAliveRequest)
            XCTAssertEqual(first.status, .ok)
            try await Task.sleep(for: .milliseconds(600))
            let second = try await connection.exchange(LoopbackClient.keepAliveRequest)
            XCTAssertEqual(second.status, .ok, String(buffer: second.body))
        }
    }
}
