import DataParallel
import Foundation
import XCTest
@testable import LiveView

/// `GET /metrics` from the feed's statuses: names, labels, counters that only go forward,
/// departed workers' gauges taken away, hostile worker names escaped.
final class LiveMetricsTests: XCTestCase {
    func status(step: Int, workers: [WorkerStep], joins: Int, drops: Int) -> RunStatus {
        var s = RunStatus(title: "784→16→10", totalSteps: 100, epochs: 2)
        s.state = "training"
        s.step = step
        s.samplesPerSecond = 1234.5
        s.stepSeconds = 0.02
        s.lastStep = workers
        s.roster.workers = workers.map { Roster.Entry(name: $0.name, state: "active") }
        s.roster.joins = joins
        s.roster.drops = drops
        return s
    }

    func testMetrics_NameWorkersAndAdvanceCounters() {
        let metrics = LiveMetrics()
        metrics.update(status(step: 3, workers: [WorkerStep(name: "w1", computeSeconds: 0.01, waitingSeconds: 0.002, bytesSent: 1000, bytesReceived: 2000),
                                                 WorkerStep(name: "w2", computeSeconds: 0.03, waitingSeconds: 0, bytesSent: 500, bytesReceived: 700)],
                              joins: 2, drops: 0))
        var text = metrics.text()
        XCTAssertTrue(text.contains("digits_step 3"), text)
        XCTAssertTrue(text.contains("digits_samples_per_second 1234.5"), text)
        XCTAssertTrue(text.contains(#"digits_worker_compute_seconds{worker="w2"} 0.03"#), text)
        XCTAssertTrue(text.contains(#"digits_worker_sent_bytes_total{worker="w1"} 1000"#), text)
        XCTAssertTrue(text.contains("digits_joins_total 2"), text)
        XCTAssertTrue(text.contains(#"digits_workers{state="active"} 2"#), text)
        // w2 is dropped; w1 sends more. Counters go forward, w2's gauges go.
        metrics.update(status(step: 5, workers: [WorkerStep(name: "w1", computeSeconds: 0.01, waitingSeconds: 0, bytesSent: 4000, bytesReceived: 2500)],
                              joins: 2, drops: 1))
        text = metrics.text()
        XCTAssertTrue(text.contains(#"digits_worker_sent_bytes_total{worker="w1"} 4000"#), text)
        XCTAssertTrue(text.contains("digits_drops_total 1"), text)
        XCTAssertFalse(text.contains(#"digits_worker_compute_seconds{worker="w2"}"#), text)
        // A total that goes back (it cannot, from one feed) does not turn a counter back.
        metrics.update(status(step: 6, workers: [], joins: 1, drops: 1))
        XCTAssertTrue(metrics.text().contains("digits_joins_total 2"))
    }

    func testMetrics_EscapeHostileWorkerNames() {
        let metrics = LiveMetrics()
        let name = "w\"1\\\n} evil 1"
        metrics.update(status(step: 1, workers: [WorkerStep(name: name, computeSeconds: 0.01, waitingSeconds: 0, bytesSent: 1, bytesReceived: 1)],
                              joins: 1, drops: 0))
        let lines = metrics.text().split(separator: "\n").filter { $0.hasPrefix("digits_worker_compute_seconds") }
        XCTAssertEqual(lines.count, 1, metrics.text())
        XCTAssertEqual(lines.first.map(String.init), #"digits_worker_compute_seconds{worker="w\"1\\\n} evil 1"} 0.01"#)
    }
}
