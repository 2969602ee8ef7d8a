@testable import Datasets
import DigitReading
import DrawServer
import Foundation
import Hummingbird
import XCTest

/// Every kind of bad request gets a 4xx with a JSON reason, and the server goes on serving.
final class BadRequestTests: XCTestCase {
    func testMalformedJSON_Is400() async throws {
        try await assertJSONRefused("{\"width\": 2, ", mentioning: "not valid JSON")
    }

    func testJSONWithoutPixels_Is400NamingTheField() async throws {
        try await assertJSONRefused(#"{"width":2,"height":2}"#, mentioning: "\"pixels\"")
    }

    func testJSONPixelOfWrongType_Is400NamingTheIndex() async throws {
        try await assertJSONRefused(#"{"width":2,"height":1,"pixels":[0,"x"]}"#, mentioning: "pixels[1]")
    }

    func testPixelCountNotWidthTimesHeight_Is400() async throws {
        try await assertJSONRefused(#"{"width":3,"height":2,"pixels":[0,0,0,0,0]}"#, mentioning: "needs width × height = 6")
    }

    func testZeroOrHugeSides_Are400() async throws {
        try await assertJSONRefused(#"{"width":0,"height":2,"pixels":[]}"#, mentioning: "width and height must be 1…2048")
        try await assertJSONRefused(#"{"width":100000,"height":1,"pixels":[0]}"#, mentioning: "width and height must be 1…2048")
    }

    func testGreyLevelOutOfRange_Is400() async throws {
        try await assertJSONRefused(#"{"width":2,"height":1,"pixels":[0,300]}"#, mentioning: "pixel 1 is 300")
    }

    /// Posts `body` as JSON and checks it gets a 400 whose message mentions `mentioning`.
    private func assertJSONRefused(_ body: String, mentioning: String, file: StaticString = #filePath, line: UInt = #line) async throws {
        try await withServer { client in
            let response = try await client.execute(uri: "/api/predict", method: .post, headers: jsonType, body: jsonBody(body))
            try assertRefused(response, .badRequest, mentioning: mentioning, file: file, line: line)
        }
    }

    func testBodyOverTheLimit_Is413() async throws {
        try await withServer { client in
            let big = ByteBuffer(repeating: UInt8(ascii: " "), count: DrawServer.defaultBodyLimit + 1)
            let response = try await client.execute(uri: "/api/predict", method: .post, headers: jsonType, body: big)
            try assertRefused(response, .contentTooLarge, mentioning: "limit of \(DrawServer.defaultBodyLimit) bytes")
        }
    }

    func testEmptyDrawing_Is422_AsJSONAndAsPNG() async throws {
        let blank = GrayImage(width: 50, height: 50, pixels: [UInt8](repeating: 0, count: 2500))
        try await withServer { client in
            for (headers, body) in [(jsonType, jsonBody(blank)), (pngType, pngBody(blank))] {
                let response = try await client.execute(uri: "/api/predict", method: .post, headers: headers, body: body)
                try assertRefused(response, .unprocessableContent, mentioning: "empty")
            }
        }
    }

    func testPNGThatDoesNotDecode_Is400() async throws {
        let whole = PNG.encode(sevenOnPaper())
        let truncated = Array(whole.prefix(whole.count / 2))
        try await withServer { client in
            for bytes in [truncated, Array("not a png at all".utf8)] {
                let response = try await client.execute(uri: "/api/predict", method: .post, headers: pngType, body: ByteBuffer(bytes: bytes))
                try assertRefused(response, .badRequest, mentioning: "the uploaded PNG")
            }
        }
    }

    /// A PNG of 5000×5000 white pixels compresses to a few kB: its size is refused from the
    /// header, before 25 MB of pixels are allocated.
    func testPNGLargerThanTheSideLimit_Is400BeforeDecoding() async throws {
        let huge = PNG.encode(GrayImage(width: 5000, height: 5000, pixels: [UInt8](repeating: 255, count: 25_000_000)))
        XCTAssertLessThan(huge.count, DrawServer.defaultBodyLimit)
        try await withServer { client in
            let response = try await client.execute(uri: "/api/predict", method: .post, headers: pngType, body: ByteBuffer(bytes: huge))
            try assertRefused(response, .badRequest, mentioning: "5000×5000")
        }
    }

    func testNoBody_Is400_AndOtherContentType_Is415() async throws {
        try await withServer { client in
            try assertRefused(try await client.execute(uri: "/api/predict", method: .post, headers: pngType), .badRequest, mentioning: "no body")
            let text = try await client.execute(uri: "/api/predict", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "7"))
            try assertRefused(text, .unsupportedMediaType, mentioning: "\"text/plain\" is not supported")
            let none = try await client.execute(uri: "/api/predict", method: .post, body: ByteBuffer(string: "7"))
            try assertRefused(none, .unsupportedMediaType, mentioning: "missing")
        }
    }

    func testUnknownPathAndWrongMethod_AreJSONErrors() async throws {
        try await withServer { client in
            try assertRefused(try await client.execute(uri: "/etc/passwd", method: .get), .notFound, mentioning: "nothing at")
            let get = try await client.execute(uri: "/api/predict", method: .get)
            XCTAssertTrue((400..<500).contains(get.status.code), "\(get.status)")
        }
    }

    /// The HTTP decoder finds a bad chunk only once the route reads the body: still a 400, not a 500.
    func testMalformedChunkedBody_Is400() async throws {
        try await withServer { client in
            let request = "POST /api/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: image/png\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n4\r\n\u{89}PNG\r\nzz\r\n"
            let response = try LoopbackClient.parse(await client.rawExchange(Array(request.utf8)))
            try assertRefused(response, .badRequest, mentioning: "not valid HTTP")
        }
    }

    /// One bad request of each kind, then a good one, to the same server.
    func testBadRequestsInARow_ThenAGoodOne_ServerKeepsServing() async throws {
        let blank = GrayImage(width: 10, height: 10, pixels: [UInt8](repeating: 255, count: 100))
        try await withServer { client in
            let bad: [(HTTPFields, ByteBuffer, HTTPResponse.Status)] = [
                (jsonType, jsonBody("[1, 2"), .badRequest),
                (jsonType, jsonBody(#"{"width":2,"height":2,"pixels":[1]}"#), .badRequest),
                (jsonType, ByteBuffer(repeating: 0x20, count: DrawServer.defaultBodyLimit + 10), .contentTooLarge),
                (pngType, pngBody(blank), .unprocessableContent),
                (pngType, ByteBuffer(bytes: PNG.signature + [1, 2, 3]), .badRequest),
            ]
            for (headers, body, status) in bad {
                let response = try await client.execute(uri: "/api/predict", method: .post, headers: headers, body: body)
                XCTAssertEqual(response.status, status, String(buffer: response.body))
            }
            let good = try await client.execute(uri: "/api/predict", method: .post, headers: pngType, body: pngBody(sevenOnPaper()))
            XCTAssertEqual(good.status, .ok)
        }
    }
}
