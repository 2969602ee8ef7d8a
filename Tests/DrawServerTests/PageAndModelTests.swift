import DrawServer
import Foundation
import Hummingbird
import XCTest

/// The page, the model's description and the training report.
final class PageAndModelTests: XCTestCase {
    func testPage_IsSelfContained_WithItsControls() async throws {
        try await withServer { client in
            try await client.execute(uri: "/", method: .get) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(response.headers[.contentType], "text/html; charset=utf-8")
                let policy = try XCTUnwrap(response.headers[.contentSecurityPolicy])
                XCTAssertTrue(policy.hasPrefix("default-src 'none'"), policy)
                let page = String(buffer: response.body)
                for id in ["id=\"pad\"", "id=\"clear\"", "id=\"undo\"", "id=\"bars\"", "id=\"input\"", "id=\"model\"", "touch-action: none"] {
                    XCTAssertTrue(page.contains(id), "the page lacks \(id)")
                }
                for external in ["src=\"http", "href=\"http", "url(http", "@import", "src=\"//", "href=\"//"] {
                    XCTAssertFalse(page.contains(external), "the page loads something from elsewhere: \(external)")
                }
            }
        }
    }

    func testModel_DescribesArchitectureAccuracyAndTraining() async throws {
        try await withServer { client in
            try await client.execute(uri: "/api/model", method: .get) { response in
                XCTAssertEqual(response.status, .ok)
                let model = try JSONDecoder().decode(ModelDescription.self, from: Data(buffer: response.body))
                XCTAssertEqual(model.layers, [784, 16, 10])
                XCTAssertEqual(model.activations, ["relu", "softmax"])
                XCTAssertEqual(model.loss, "categoricalCrossEntropy")
                XCTAssertEqual(model.parameters, 784 * 16 + 16 + 16 * 10 + 10)
                XCTAssertEqual(model.testAccuracy, 0.9512)
                XCTAssertEqual(model.epochs, 3)
                XCTAssertEqual(model.workers, 2)
                XCTAssertEqual(model.seed, "7")
                XCTAssertEqual(model.trainedBy, "launch")
                XCTAssertEqual(model.training["batch"], "128")
                XCTAssertNil(model.training["test_accuracy"], "shown in its own field")
                XCTAssertNil(model.report)
                XCTAssertEqual(model.name, "test.safetensors")
            }
            try assertRefused(try await client.execute(uri: "/report", method: .get), .notFound, mentioning: "no training report")
        }
    }

    func testReport_WhenBesideTheModel_IsLinkedAndServed() async throws {
        try await withServer(report: "<html><body>the report</body></html>") { client in
            let model = try await client.execute(uri: "/api/model", method: .get) { try JSONDecoder().decode(ModelDescription.self, from: Data(buffer: $0.body)) }
            XCTAssertEqual(model.report, "/report")
            try await client.execute(uri: "/report", method: .get) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(String(buffer: response.body), "<html><body>the report</body></html>")
                XCTAssertEqual(response.headers[.contentType], "text/html; charset=utf-8")
            }
        }
    }

    func testReportPath_IsTheModelPathWithHTML() {
        XCTAssertEqual(DrawServer.reportPath(forModel: "runs/a.safetensors"), "runs/a.html")
        XCTAssertEqual(DrawServer.reportPath(forModel: "model"), "model.html")
    }

    func testLoadReport_MissingFile_IsNil() throws {
        XCTAssertNil(try DrawServer.loadReport(besideModel: "/nonexistent/dir/m.safetensors"))
    }
}
