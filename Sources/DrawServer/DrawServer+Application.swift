import Hummingbird
import HummingbirdCore
import NIOCore

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
}
