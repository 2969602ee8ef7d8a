import DrawServer
import Foundation
import Hummingbird
import XCTest

/// Clients that connect and then send slowly, or nothing, lose their connection within the
/// server's limits, and the server goes on serving everyone else.
final class ConnectionLimitTests: XCTestCase {
    /// Longer than any test runs: a limit the test does not mean to reach.
    static let never: Duration = .seconds(60)

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

    func testBodyShorterThanItsContentLength_IsClosedAfterTheIdleTimeout() async throws {
        try await withServer(limits: .init(headerTimeout: Self.never, idleTimeout: .seconds(1))) { client in
            var request = client.request(uri: "/api/predict", method: .post, headers: pngType, body: pngBody(sevenOnPaper()))
            request.removeLast(10)
            let started = ContinuousClock.now
            let answer = try await client.rawExchange(request)
            XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
            XCTAssertFalse(String(decoding: answer, as: UTF8.self).hasPrefix("HTTP/1.1 200"), String(decoding: answer, as: UTF8.self))
        }
    }

    func testKeptAliveConnectionLeftIdle_IsClosedAfterTheIdleTimeout() async throws {
        try await withServer(limits: .init(headerTimeout: Self.never, idleTimeout: .seconds(1))) { client in
            let connection = try await HeldConnection(port: client.port, timeout: .seconds(5))
            let answer = try await connection.exchange(LoopbackClient.keepAliveRequest)
            XCTAssertEqual(answer.status, .ok)
            let started = ContinuousClock.now
            let more = try await connection.bytesUntilClosed()
            XCTAssertEqual(more, [], "a connection closed for idleness is closed silently")
            XCTAssertGreaterThan(ContinuousClock.now - started, .milliseconds(500))
        }
    }

    func testConnectionsBeyondTheLimit_Are503_AndTheOpenOnesAreStillServed() async throws {
        try await withServer(limits: .init(headerTimeout: Self.never, idleTimeout: Self.never, maximumConnections: 3)) { client in
            var held: [HeldConnection] = []
            for _ in 0..<3 {
                let connection = try await HeldConnection(port: client.port)
                // Answered, so the server has counted it.
                let answer = try await connection.exchange(LoopbackClient.keepAliveRequest)
                XCTAssertEqual(answer.status, .ok)
                held.append(connection)
            }
            for _ in 0..<5 {
                let refused = try await client.execute(uri: "/api/model", method: .get)
                try assertRefused(refused, .serviceUnavailable, mentioning: "3 connections open")
            }
            let stillServed = try await held[0].exchange(LoopbackClient.keepAliveRequest)
            XCTAssertEqual(stillServed.status, .ok)
            held.removeAll()
            // The server counts a connection closed once it has seen it close, a moment later.
            let deadline = ContinuousClock.now + .seconds(5)
            var status = HTTPResponse.Status.serviceUnavailable
            while status == .serviceUnavailable, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                status = try await client.execute(uri: "/api/model", method: .get).status
            }
            XCTAssertEqual(status, .ok, "the server did not take new connections once the held ones closed")
        }
    }
}
