import Foundation
import XCTest

/// `--dashboard`: the live view's server follows a real run; its status and `GET /metrics`
/// show the workers and grow as the run goes, and the server ends with the run.
final class DashboardToolTests: XCTestCase {
    func testDashboard_ServesTheRunAndPrometheusMetricsWhileItTrains() throws {
        let directory = try Tool.temporaryDirectory()
        let address = "ipc:///tmp/digits-\(UUID().uuidString.prefix(8)).ipc"
        let coordinator = try Tool.start(["coordinator", "--bind", address, "--insecure", "--workers", "2", "--dashboard", "127.0.0.1:0",
                                          "--limit", "1920", "--batch", "96", "--micro-batch", "48", "--epochs", "8", "--layers", "16",
                                          "--out", directory.appendingPathComponent("m.safetensors").path],
                                         logs: directory, name: "coordinator")
        defer { coordinator.terminate() }
        // w2 is slowed (30 ms a step) so that the run lasts long enough to be watched.
        let workers = try ["w1", "w2"].map { name in
            try Tool.start(["worker", "--connect", address, "--insecure", "--name", name, "--timeout", "20"]
                           + (name == "w2" ? ["--test-delay", "0.03"] : []), logs: directory, name: name)
        }
        var port: Int?
        for _ in 0..<300 where port == nil {
            let log = Tool.log(directory, "coordinator")
            if let range = log.range(of: #"live view at http://127\.0\.0\.1:[0-9]+/"#, options: .regularExpression) {
                port = Int(log[range].split(separator: ":").last!.dropLast())
            } else {
                usleep(100_000)
            }
        }
        let live = try XCTUnwrap(port, "no live view address: \(Tool.log(directory, "coordinator"))")
        var steps: [Int] = [], sawWorkers = false, sawMetrics = false, sawStep = false
        while coordinator.isRunning {
            if let run = try? Tool.get("/api/run", port: live), run.status == 200,
               let status = try? JSONSerialization.jsonObject(with: Data(run.body.utf8)) as? [String: Any] {
                steps.append(status["step"] as? Int ?? 0)
                // The counts under the names the page reads (snake case, as the rest of the status).
                let counts = status["roster"] as? [String: Any] ?? [:]
                XCTAssertTrue(["joins", "drops", "leaves", "redone_steps"].allSatisfy { counts[$0] is Int }, "\(counts)")
                let roster = counts["workers"] as? [[String: Any]] ?? []
                if Set(roster.compactMap { $0["name"] as? String }) == ["w1", "w2"] && roster.allSatisfy({ $0["state"] as? String == "active" }) {
                    sawWorkers = true
                }
            }
            if let metrics = try? Tool.get("/metrics", port: live), metrics.status == 200,
               metrics.body.contains(#"digits_worker_compute_seconds{worker="w2"}"#), metrics.body.contains("digits_joins_total 2"),
               metrics.body.contains("# TYPE digits_samples_per_second gauge") {
                sawMetrics = true
            }
            // The last step, drawn: an SVG document with a lane for each worker.
            if !sawStep, let svg = try? Tool.get("/timeline.svg", port: live), svg.status == 200,
               svg.body.contains("<svg"), svg.body.contains(">w1</text>"), svg.body.contains(">w2</text>"), svg.body.contains("w2: compute") {
                sawStep = true
            }
            usleep(100_000)
        }
        for w in workers { w.waitUntilExit() }
        let log = Tool.log(directory, "coordinator")
        XCTAssertEqual(coordinator.terminationStatus, 0, log)
        XCTAssertTrue(sawWorkers, "the status never listed w1 and w2 as active")
        XCTAssertTrue(sawMetrics, "GET /metrics never showed the workers")
        XCTAssertTrue(sawStep, "GET /timeline.svg never drew a step with both workers")
        XCTAssertGreaterThan(Set(steps).count, 2, "the step did not advance on the live view: \(steps)")
        XCTAssertEqual(steps, steps.sorted(), "steps went back: \(steps)")
        // The server ends with the run.
        usleep(500_000)
        XCTAssertThrowsError(try Tool.get("/", port: live), "the live view's server outlived its run")
    }
}
