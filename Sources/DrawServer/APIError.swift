import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1

/// A request the API refuses: a 4xx status and a sentence that says what is wrong.
/// Messages name no file paths and carry no stack traces.
public struct APIError: Error, Sendable {
    public var status: HTTPResponse.Status
    public var message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    /// The body of every error response: `{"error": "..."}`.
    struct Body: Codable {
        var error: String
    }
}

/// Turns every error thrown below it into a JSON response `{"error": "..."}`, so that a
/// client always gets a reason, and an unexpected error gets a 500 that reveals nothing
/// (it is logged on the server instead).
public struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return Self.response(error)
        } catch let error as HTTPParserError {
            // From the body, which the decoder reads as the route asks for it: malformed bytes,
            // or a connection closed in the middle (by the client, or for being idle).
            let problem = error == .invalidEOFState ? "its body ended before it was complete" : "it is malformed"
            return Self.response(APIError(.badRequest, "the request is not valid HTTP: \(problem)"))
        } catch is NIOTooManyBytesError {
            return Self.response(APIError(.contentTooLarge, "the request body is too large"))
        } catch let error as HTTPResponseError {
            let status = error.status
            let message = status == .notFound ? "there is nothing at \(request.uri.path)" : status.reasonPhrase.lowercased()
            return Self.response(APIError(status, message))
        } catch {
            context.logger.error("request \(request.method) \(request.uri.path) failed: \(String(reflecting: error))")
            return Self.response(APIError(.internalServerError, "the server could not answer this request"))
        }
    }

    static func response(_ error: APIError) -> Response {
        Response(status: error.status, headers: APIError.headers, body: .init(byteBuffer: error.body))
    }
}

extension APIError {
    static let headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"]

    /// `{"error": message}`.
    var body: ByteBuffer {
        ByteBuffer(bytes: (try? JSONEncoder().encode(Body(error: message))) ?? Data("{}".utf8))
    }
}
