import Foundation
import XCTest

/// `digits serve` as a user starts it: it runs the drawing server `digits-serve` from beside
/// itself (the test build makes both) and says which model it reads.
final class ServeToolTests: XCTestCase {
    func testServe_PrintsTheModelPathItWasGiven() throws {
        let directory = try Tool.temporaryDirectory()
        let model = directory.appendingPathComponent("my model.safetensors").path
        let train = try Tool.run(["train", "--limit", "500", "--epochs", "1", "--layers", "8", "--out", model, "--quiet"])
        XCTAssertEqual(train.status, 0, train.stderr)
        let server = try Tool.start(["serve", "--model", model, "--port", "0"], logs: directory, name: "serve")
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let out = directory.appendingPathComponent("serve.out")
        var line = ""
        let deadline = Date(timeIntervalSinceNow: 30)
        while Date() < deadline && server.isRunning && !line.contains("http://") {
            usleep(50_000)
            line = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        }
        XCTAssertTrue(line.contains("reading digits with \(model) at http://127.0.0.1:"), "\(line)\n\(Tool.log(directory, "serve"))")
    }

    func testServe_MissingModel_NamesTheFileAndFails() throws {
        let run = try Tool.run(["serve", "--model", "/nonexistent/model.safetensors", "--port", "0"])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("/nonexistent/model.safetensors"), run.stderr)
    }
}
