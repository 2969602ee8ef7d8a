import Datasets
import DigitReading
import Foundation
import Hummingbird
import NIOCore

/// Reads the drawing out of a `POST /api/predict` body: a PNG (`Content-Type: image/png`)
/// or a `Drawing` as JSON (`application/json`). Every way a body can be wrong becomes an
/// `APIError` whose message says what to send instead. Public for the fuzz target in
/// Fuzz/, which decodes bodies without a server.
public struct DrawingDecoder: Sendable {
    /// The largest body accepted, in bytes.
    var bodyLimit: Int
    /// The largest width or height of a drawing. It is checked before a PNG's pixels are
    /// allocated: a small PNG can hold a huge, uniform image.
    var maximumSide: Int

    public init(bodyLimit: Int, maximumSide: Int) {
        self.bodyLimit = bodyLimit
        self.maximumSide = maximumSide
    }

    func image(from request: Request) async throws -> GrayImage {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: bodyLimit)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, "the request body is larger than the limit of \(bodyLimit) bytes; send a drawing of at most \(maximumSide)×\(maximumSide) pixels")
        }
        return try image(body: Array(buffer.readableBytesView), contentType: request.headers[.contentType])
    }

    /// The drawing in a body of at most `bodyLimit` bytes sent with the `Content-Type` header
    /// `contentType` (nil when there was none).
    public func image(body bytes: [UInt8], contentType: String?) throws -> GrayImage {
        guard !bytes.isEmpty else {
            throw APIError(.badRequest, "the request has no body: send the drawing as a PNG (Content-Type: image/png) or as JSON {\"width\":W,\"height\":H,\"pixels\":[...]}")
        }
        let mediaType = contentType.map(Self.mediaType) ?? ""
        switch mediaType {
        case "image/png": return try png(bytes)
        case "application/json": return try json(bytes)
        default:
            throw APIError(.unsupportedMediaType, "Content-Type \(mediaType.isEmpty ? "is missing" : "\"\(mediaType)\" is not supported"); send image/png or application/json")
        }
    }

    /// `image/png; charset=x` → `image/png`.
    static func mediaType(_ header: String) -> String {
        header.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    }

    func png(_ bytes: [UInt8]) throws -> GrayImage {
        if let (width, height) = Self.pngSize(bytes), width > maximumSide || height > maximumSide {
            throw APIError(.badRequest, "the PNG is \(width)×\(height) pixels; width and height must be 1…\(maximumSide)")
        }
        do {
            return try GrayImage.decode(bytes, name: "the uploaded PNG")
        } catch let error as DatasetError {
            throw APIError(.badRequest, error.description)
        }
    }

    func json(_ bytes: [UInt8]) throws -> GrayImage {
        let drawing: Drawing
        do {
            drawing = try JSONDecoder().decode(Drawing.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw APIError(.badRequest, Self.explain(error))
        }
        return try drawing.image(maximumSide: maximumSide)
    }

    /// Width and height from a PNG's header (the IHDR chunk always comes first, at byte 8),
    /// or nil if `bytes` do not start like a PNG; the decoder then says what is wrong.
    static func pngSize(_ bytes: [UInt8]) -> (Int, Int)? {
        let ihdr: [UInt8] = Array("IHDR".utf8)
        guard bytes.count >= 24, Array(bytes[12..<16]) == ihdr else { return nil }
        let bigEndian = { (at: Int) in bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return (bigEndian(16), bigEndian(20))
    }

    /// A sentence for a JSON body that does not decode as a `Drawing`.
    static func explain(_ error: DecodingError) -> String {
        let shape = "expected {\"width\":W,\"height\":H,\"pixels\":[W×H grey levels 0…255]}"
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.reduce("") { text, key in key.intValue.map { text + "[\($0)]" } ?? text + key.stringValue }
        }
        switch error {
        case let .keyNotFound(key, _):
            return "the JSON has no \"\(key.stringValue)\"; \(shape)"
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            return "in the JSON, \(path(context)) has the wrong type; \(shape)"
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            return "in the JSON, \(path(context)) is not valid: \(shape)"
        default:
            return "the body is not valid JSON; \(shape)"
        }
    }
}
