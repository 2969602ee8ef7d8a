import HTTPTypes
import NIOCore
import NIOHTTPTypes

extension ChannelHandlerContext {
    /// Answers `error` as the router's errors are answered, `{"error": "..."}`, then closes the
    /// connection: for the handlers below the router that refuse a connection before any
    /// request reached it. The response goes out from this handler towards the socket, so the
    /// handlers after it (Hummingbird's, which count requests and responses) never see it.
    func refuse(_ error: APIError) {
        let body = error.body
        var headers = APIError.headers
        headers[.contentLength] = String(body.readableBytes)
        headers[.connection] = "close"
        write(NIOAny(HTTPResponsePart.head(HTTPResponse(status: error.status, headerFields: headers))), promise: nil)
        write(NIOAny(HTTPResponsePart.body(body)), promise: nil)
        // Closing only once the bytes are written: a close fails the writes still pending.
        writeAndFlush(NIOAny(HTTPResponsePart.end(nil))).assumeIsolated().whenComplete { _ in
            self.close(promise: nil)
        }
    }
}
