import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import UnixSignals

/// How every page of ours is served: HTTP/1 with Hummingbird, behind the connection limits
/// (`ConnectionCap`, `RequestHeadTimeout`, the idle timeout), for the drawing page and the
/// live view alike.
public enum HTTPService {
    /// The application serving `router` on `host`:`port` (port 0: any free port) within
    /// `limits`. `onRunning` receives the port actually bound once the server accepts connections.
    public static func application(router: Router<BasicRequestContext>, host: String, port: Int, limits: ConnectionLimits = .init(),
                                   onRunning: @escaping @Sendable (Int) -> Void = { _ in }) -> some ApplicationProtocol {
        let open = OpenConnections(limit: limits.maximumConnections)
        // An autoclosure, called for each connection: the count is the server's, the handlers
        // are the connection's own.
        // Hummingbird's idle timeout counts from the last part of a request read or the last
        // response written, and pauses while a response is being made.
        let http1 = HTTP1Channel.Configuration(additionalChannelHandlers: [
            ConnectionCap(open), RequestHeadTimeout(limit: limits.headerTimeout),
        ], idleTimeout: TimeAmount(limits.idleTimeout))
        return Application(router: router, server: .http1(configuration: http1),
                           configuration: .init(address: .hostname(host, port: port), serverName: "digits"),
                           onServerRunning: { channel in onRunning(channel.localAddress?.port ?? port) },
                           logger: logger)
    }

    /// Warnings and errors only (a request that failed, a server that stopped), unless
    /// `LOG_LEVEL` (trace, debug, info, notice, warning, error, critical) asks for more: our
    /// commands say where they listen themselves, so that a coordinator's `--dashboard` does
    /// not mix the server's "started" lines into the training's progress.
    static var logger: Logger {
        var logger = Logger(label: "digits-serve")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }

    /// Runs `application(router:host:port:limits:onRunning:)` until one of
    /// `gracefulShutdownSignals` stops it. A port another program listens on throws
    /// `DrawServerError.addressInUse`, rather than the socket call's own text.
    public static func run(router: Router<BasicRequestContext>, host: String, port: Int, limits: ConnectionLimits = .init(),
                           gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint],
                           onRunning: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        do {
            try await application(router: router, host: host, port: port, limits: limits, onRunning: onRunning)
                .runService(gracefulShutdownSignals: gracefulShutdownSignals)
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw DrawServerError.addressInUse(host: host, port: port)
        }
    }

    /// The policy of a page that is one document with its style and script inline: only
    /// those, and requests and images back to this server (the drawing page, the live view).
    public static let selfContainedPage = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
        + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// An HTML page with its content security policy.
    public static func html(_ text: String, policy: String) -> Response {
        Response(status: .ok,
                 headers: [.contentType: "text/html; charset=utf-8", .contentSecurityPolicy: policy,
                           .xContentTypeOptions: "nosniff"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A value as JSON (sorted keys), never cached.
    public static func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return json(bytes: try encoder.encode(value))
    }

    /// JSON already encoded.
    public static func json(bytes: some Sequence<UInt8>) -> Response {
        Response(status: .ok,
                 headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store",
                           .xContentTypeOptions: "nosniff"],
                 body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension DrawServer {
    /// The drawing page's application (see `HTTPService.application`).
    public func application(host: String, port: Int, limits: ConnectionLimits = .init(),
                            onRunning: @escaping @Sendable (Int) -> Void = { _ in }) -> some ApplicationProtocol {
        HTTPService.application(router: router(), host: host, port: port, limits: limits, onRunning: onRunning)
    }

    /// Serves the drawing page (see `HTTPService.run`).
    public func run(host: String, port: Int, limits: ConnectionLimits = .init(),
                    gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint],
                    onRunning: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        try await HTTPService.run(router: router(), host: host, port: port, limits: limits,
                                  gracefulShutdownSignals: gracefulShutdownSignals, onRunning: onRunning)
    }
}
