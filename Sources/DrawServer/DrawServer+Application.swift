import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
import UnixSignals

extension DrawServer {
    /// The application listening on `host`:`port` (port 0: any free port) within `limits`.
    /// `onRunning` receives the port actually bound once the server accepts connections.
    public func application(host: String, port: Int, limits: ConnectionLimits = .init(),
                            onRunning: @escaping @Sendable (Int) -> Void = { _ in }) -> some ApplicationProtocol {
        let open = OpenConnections(limit: limits.maximumConnections)
        // An autoclosure, called for each connection: the count is the server's, the handlers
        // are the connection's own.
        // Hummingbird's idle timeout counts from the last part of a request read or the last
        // response written, and pauses while a response is being made.
        let http1 = HTTP1Channel.Configuration(additionalChannelHandlers: [
            ConnectionCap(open), RequestHeadTimeout(limit: limits.headerTimeout),
        ], idleTimeout: TimeAmount(limits.idleTimeout))
        return Application(router: router(), server: .http1(configuration: http1),
                           configuration: .init(address: .hostname(host, port: port), serverName: "digits"),
                           onServerRunning: { channel in onRunning(channel.localAddress?.port ?? port) })
    }

    /// Runs `application(host:port:limits:onRunning:)` until one of `gracefulShutdownSignals`
    /// stops it. A port another program listens on throws `DrawServerError.addressInUse`,
    /// rather than the socket call's own text.
    public func run(host: String, port: Int, limits: ConnectionLimits = .init(),
                    gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint],
                    onRunning: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        do {
            try await application(host: host, port: port, limits: limits, onRunning: onRunning)
                .runService(gracefulShutdownSignals: gracefulShutdownSignals)
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw DrawServerError.addressInUse(host: host, port: port)
        }
    }
}
