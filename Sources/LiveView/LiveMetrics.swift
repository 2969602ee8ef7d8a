import DataParallel
import Foundation
import NIOConcurrencyHelpers
import Prometheus

/// A run's figures in the Prometheus text format, for `GET /metrics`, from the newest
/// `RunStatus`: the run's progress (gauges), each active worker's last step and epoch
/// (gauges, label `worker`), its bytes (counters), and the joins, drops, leaves and redone
/// steps (counters). The feed carries totals; the counters advance by the difference, so
/// they never go back.
public final class LiveMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// The totals the counters were last advanced to, by metric name and worker.
    private let totals = NIOLockedValueBox<[String: Double]>([:])
    /// Each worker's gauges and counters, so that a departed worker's are taken away.
    private let perWorker = NIOLockedValueBox<[String: [Gauge]]>([:])

    public init() {}

    public func text() -> String { registry.emitToString() }

    func gauge(_ name: String, _ unit: String, _ help: String, labels: [(String, String)] = []) -> Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "digits", metricName: name, unitName: unit, helpText: help), labels: labels)
    }

    /// Advances a counter to `total`.
    func count(_ name: String, _ unit: String, _ help: String, to total: Double, labels: [(String, String)] = []) {
        let counter = registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "digits", metricName: name, unitName: unit, helpText: help), labels: labels)
        let key = ([name] + labels.map { "\($0.0)=\($0.1)" }).joined(separator: "\u{0}")
        let step = totals.withLockedValue { known -> Double in
            let previous = known[key] ?? 0
            known[key] = max(previous, total)
            return total - previous
        }
        if step > 0 { counter.increment(by: step) }
    }

    func update(_ s: RunStatus) {
        gauge("step", "", "Global steps done").set(Double(s.step))
        gauge("planned_steps", "", "Steps the run's plan has").set(Double(s.totalSteps))
        gauge("epoch", "", "The epoch being trained (from 1)").set(Double(s.epoch))
        gauge("samples_per_second", "", "Training samples per second in the current epoch").set(s.samplesPerSecond ?? 0)
        gauge("step", "seconds", "The last step's wall time").set(s.stepSeconds ?? 0)
        gauge("train_loss", "", "Mean training loss of the current epoch so far").set(s.loss ?? 0)
        if let last = s.history.last {
            gauge("test_accuracy", "ratio", "Test accuracy after the last finished epoch").set(last.testAccuracy)
            gauge("test_loss", "", "Test loss after the last finished epoch").set(last.testLoss)
        }
        for state in ["joining", "active"] {
            gauge("workers", "", "Workers in the run, by state", labels: [("state", state)])
                .set(Double(s.roster.workers.filter { $0.state == state }.count))
        }
        count("joins", "total", "Workers welcomed into the run", to: Double(s.roster.joins))
        count("drops", "total", "Workers dropped for a fault (silence, a bad gradient, unreachable)", to: Double(s.roster.drops))
        count("leaves", "total", "Workers that left of their own accord", to: Double(s.roster.leaves))
        count("redone_steps", "total", "Step attempts computed again after a drop", to: Double(s.roster.redoneSteps))
        gauge("running", "", "1 while the run waits for workers or trains, 0 once it has ended").set(["waiting", "training"].contains(s.state) ? 1.0 : 0.0)

        let epoch = Dictionary(s.history.last?.perWorker?.map { ($0.name, $0) } ?? [], uniquingKeysWith: { a, _ in a })
        var present: [String: [Gauge]] = [:]
        for w in s.lastStep {
            let labels = [("worker", w.name)]
            var gauges = [
                gauge("worker_compute", "seconds", "The worker's compute time in the last step", labels: labels),
                gauge("worker_wait", "seconds", "The worker's wait for the others in the last step", labels: labels),
            ]
            gauges[0].set(w.computeSeconds)
            gauges[1].set(w.waitingSeconds)
            if let e = epoch[w.name] {
                let median = gauge("worker_compute_median", "seconds", "Median compute per step in the last epoch", labels: labels)
                let p95 = gauge("worker_compute_p95", "seconds", "95th percentile compute per step in the last epoch", labels: labels)
                median.set(e.computeMedianSeconds)
                p95.set(e.computeP95Seconds)
                gauges += [median, p95]
            }
            present[w.name] = gauges
            count("worker_sent", "bytes_total", "Bytes the worker sent (to the coordinator and its peers)", to: Double(w.bytesSent), labels: labels)
            count("worker_received", "bytes_total", "Bytes the worker received", to: Double(w.bytesReceived), labels: labels)
        }
        // A worker no longer in the steps: its gauges go (its counters stay, as counters do).
        let gone = perWorker.withLockedValue { known -> [Gauge] in
            let gone = known.filter { present[$0.key] == nil }.flatMap(\.value)
            known = present
            return gone
        }
        for g in gone { registry.unregisterGauge(g) }
    }
}
