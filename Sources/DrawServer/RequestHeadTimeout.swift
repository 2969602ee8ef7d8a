import Foundation
import NIOCore
import NIOHTTPTypes

/// Answers 408 and closes a connection whose first request head (request line and headers)
/// has not arrived within `limit` of the connection opening: a client that connects and
/// sends nothing, or a few bytes and then nothing, would otherwise hold its socket for ever.
///
/// It sits after the HTTP decoder, so "a head" means one that parsed. It watches only the
/// first request; later ones on a kept-alive connection are bounded by Hummingbird's idle
/// timeout, which also closes a head sent byte by byte since no part of it reaches the router.
final class RequestHeadTimeout: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum State {
        case notActive
        case waiting(Scheduled<Void>)
        /// The head came, the server answered something, or the timer fired.
        case over
    }

    private let limit: Duration
    private var state = State.notActive

    init(limit: Duration) {
        self.limit = limit
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { stop() }
        context.fireChannelRead(data)
    }

    /// Whatever the server writes first (a 400 for a head that does not parse, say) is the
    /// answer; a 408 after it would answer a request that was never made.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        stop()
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard case .notActive = state else { return }
        let timer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(limit)) {
            self.state = .over
            context.refuse(APIError(.requestTimeout, "the request's line and headers did not arrive within \(Self.seconds(self.limit)) of connecting; send them at once"))
        }
        state = .waiting(timer)
    }

    private func stop() {
        if case let .waiting(timer) = state { timer.cancel() }
        state = .over
    }

    /// "10 s", "0.5 s".
    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%g s", Double(seconds) + Double(attoseconds) * 1e-18)
    }
}
