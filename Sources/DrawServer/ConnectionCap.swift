import NIOConcurrencyHelpers
import NIOCore
import NIOHTTPTypes

/// The number of connections open on one server, shared by all of them across event loops.
final class OpenConnections: Sendable {
    let limit: Int
    private let count = NIOLockedValueBox(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts one more connection, unless `limit` are open already.
    func admit() -> Bool {
        count.withLockedValue { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func release() {
        count.withLockedValue { $0 -= 1 }
    }
}

/// Answers 503 and closes a connection beyond the server's limit at once, before reading
/// anything from it, so that it frees its socket now. Hummingbird's own limit leaves such
/// connections waiting in the listen backlog, where a client cannot tell them from a slow server.
///
/// A connection admitted is counted until it closes, however it closes.
final class ConnectionCap: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    private let open: OpenConnections

    init(_ open: OpenConnections) {
        self.open = open
    }

    func channelActive(context: ChannelHandlerContext) {
        // The handlers after this one see the channel become active, and then close, as
        // they would for any connection.
        context.fireChannelActive()
        let open = open
        if open.admit() {
            context.channel.closeFuture.whenComplete { _ in open.release() }
        } else {
            context.refuse(APIError(.serviceUnavailable, "the server has \(open.limit) connections open, its limit; close some or try again in a moment"))
        }
    }
}
