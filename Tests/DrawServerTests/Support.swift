@testable import Datasets
import DigitReading
import DrawServer
import Foundation
import Hummingbird
import NeuralNetwork
import XCTest

/// A small untrained 784→16→10 model with the metadata `digits train` writes.
func testModel(side: Int = 28) -> TrainedModel {
    let network = Network(architecture: Architecture(inputs: side * side, hidden: [16], outputs: 10), seed: 7)
    return TrainedModel(network: network, imageHeight: side, imageWidth: side, metadata: [
        "test_accuracy": "0.9512", "epochs": "3", "workers": "2", "seed": "7", "trained_by": "launch",
        "batch": "128", "micro_batch": "32", "data": "MNIST",
    ])
}

/// A 100×100 picture of a "7": dark ink on white paper, as a scan would be.
func sevenOnPaper() -> GrayImage {
    var pixels = [UInt8](repeating: 255, count: 100 * 100)
    for x in 20..<80 { for y in 20..<28 { pixels[y * 100 + x] = 0 } }
    for t in 0..<60 { for w in 0..<8 { pixels[(28 + t) * 100 + 72 - t / 2 + w] = 0 } }
    return GrayImage(width: 100, height: 100, pixels: pixels)
}

func pngBody(_ image: GrayImage) -> ByteBuffer { ByteBuffer(bytes: PNG.encode(image)) }

func jsonBody(_ image: GrayImage) -> ByteBuffer {
    let drawing = Drawing(width: image.width, height: image.height, pixels: image.pixels.map(Int.init))
    return ByteBuffer(bytes: try! JSONEncoder().encode(drawing))
}

func jsonBody(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

let pngType: HTTPFields = [.contentType: "image/png"]
let jsonType: HTTPFields = [.contentType: "application/json"]

extension XCTestCase {
    /// Runs `test` against the real server for `testModel()`, listening on a free port of
    /// 127.0.0.1, and stops the server when `test` ends, also when it throws.
    func withServer(report: String? = nil, bodyLimit: Int = DrawServer.defaultBodyLimit, limits: ConnectionLimits = .init(),
                    file: StaticString = #filePath, line: UInt = #line,
                    _ test: (LoopbackClient) async throws -> Void) async throws {
        let server = try DrawServer(model: testModel(), name: "test.safetensors", report: report, bodyLimit: bodyLimit)
        let (ports, announce) = AsyncStream.makeStream(of: Int.self)
        let running = Task {
            // Ends the wait for a port if the server fails before it listens.
            defer { announce.finish() }
            // No signal handlers: Ctrl-C must still stop the test run.
            try await server.run(host: "127.0.0.1", port: 0, limits: limits, gracefulShutdownSignals: []) { announce.yield($0) }
        }
        guard let port = await ports.first(where: { _ in true }) else {
            try await running.value
            return XCTFail("the server stopped before it listened", file: file, line: line)
        }
        var failure: (any Error)?
        do {
            try await test(LoopbackClient(port: port))
        } catch {
            failure = error
        }
        running.cancel()
        if case let .failure(error) = await running.result, !(error is CancellationError) {
            XCTFail("the server failed: \(error)", file: file, line: line)
        }
        if let failure { throw failure }
    }
}

/// Checks a refusal: the status, a JSON `{"error": ...}` whose message contains `mentions`,
/// and that it reveals no source paths or stack traces.
func assertRefused(_ response: LoopbackClient.Response, _ status: HTTPResponse.Status, mentioning mentions: String,
                   file: StaticString = #filePath, line: UInt = #line) throws {
    XCTAssertEqual(response.status, status, String(buffer: response.body), file: file, line: line)
    XCTAssertEqual(response.headers[.contentType], "application/json; charset=utf-8", file: file, line: line)
    let body = try JSONDecoder().decode([String: String].self, from: Data(buffer: response.body))
    let message = try XCTUnwrap(body["error"], file: file, line: line)
    XCTAssertTrue(message.contains(mentions), "\"\(message)\" does not mention \"\(mentions)\"", file: file, line: line)
    for leak in ["/work", "/tmp", ".swift", "Fatal", "DatasetError", "DecodingError"] {
        XCTAssertFalse(message.contains(leak), "\"\(message)\" reveals \(leak)", file: file, line: line)
    }
}
