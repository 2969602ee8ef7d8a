import Foundation
import Glibc

/// A connection to the server that a test keeps open across several exchanges: to fill the
/// server's connection limit, or to watch it close a kept-alive connection. It is closed when
/// the last reference to it goes. Its requests should not say `Connection: close`.
final class HeldConnection: Sendable {
    let port: Int
    let timeout: Duration
    private let socket: Int32

    init(port: Int, timeout: Duration = .seconds(10)) async throws {
        self.port = port
        self.timeout = timeout
        socket = try await LoopbackClient.offThePool { try LoopbackClient.connect(port: port, timeout: timeout) }
    }

    deinit {
        close(socket)
    }

    /// Sends `request` and returns the one response to it; the connection stays open.
    func exchange(_ request: String) async throws -> LoopbackClient.Response {
        let (socket, port, timeout) = (socket, port, timeout)
        let bytes = try await LoopbackClient.offThePool {
            try LoopbackClient.exchange(Array(request.utf8), on: socket, port: port, until: .now + timeout,
                                        timeout: timeout) { (try? LoopbackClient.parse($0)) != nil }
        }
        return try LoopbackClient.parse(bytes)
    }

    /// Waits for the server to close the connection, and returns what it sent before, or
    /// throws `LoopbackClient.Failure.timedOut` after `timeout`.
    func bytesUntilClosed() async throws -> [UInt8] {
        let (socket, port, timeout) = (socket, port, timeout)
        return try await LoopbackClient.offThePool {
            try LoopbackClient.exchange([], on: socket, port: port, until: .now + timeout, timeout: timeout) { _ in false }
        }
    }
}

extension LoopbackClient {
    /// A `GET` the server answers on a kept-alive connection.
    static let keepAliveRequest = "GET /api/model HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
}
