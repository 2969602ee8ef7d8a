import DataParallel
import Datasets
import Foundation
import NeuralNetwork
import Plots

/// One self-contained HTML file about a trained model: loss and accuracy per epoch (SVG),
/// the confusion matrix (SVG), and a grid of misclassified test digits (inline PNG).
/// Nothing is loaded from elsewhere, so the file can be mailed or opened offline.
struct TrainingReport {
    let model: TrainedModel
    let history: [EpochMetrics]
    let evaluation: Evaluation
    let test: ImageSet
    /// A step drawn worker by worker: the run's last (a run with `--timeline` or `--dashboard`),
    /// or one of its trace (`digits report --timeline`).
    var step: StepTimeline? = nil
    /// Which step `step` is, for the text.
    var stepChosen: StepChoice = .last

    enum StepChoice { case last, slowest, given }

    /// Misclassified digits shown at most.
    static let gridSize = 48

    func html() -> String {
        let meta = model.metadata
        var facts: [(String, String)] = [("model", model.network.architecture.summary)]
        for (key, label) in [("data", "data"), ("trained_by", "trained by"), ("workers", "workers"), ("epochs", "epochs"),
                             ("batch", "batch"), ("micro_batch", "micro-batch"), ("optimizer", "optimizer"),
                             ("learning_rate", "learning rate"), ("lr_schedule", "schedule"), ("augment", "augmentation"), ("seed", "seed"),
                             ("training_samples", "training samples")] {
            if let value = meta[key] { facts.append((label, value)) }
        }
        facts.append(("test accuracy", String(format: "%.2f%% (%d of %d)", 100 * evaluation.accuracy, evaluation.correct, evaluation.count)))
        var body = "<h1>digits: training report</h1>\n<table class=\"facts\">"
        for (k, v) in facts { body += "<tr><th>\(escape(k))</th><td>\(escape(v))</td></tr>" }
        body += "</table>\n"
        if !history.isEmpty {
            body += "<h2>Loss and accuracy per epoch</h2>\n" + inline(Figure(plots: [lossPlot(), accuracyPlot()], columns: 2).svg(), id: "curves")
        }
        body += workersSection()
        body += stepSection()
        body += "<h2>Confusion matrix</h2>\n<p>Rows are the true digits, columns what the network read.</p>\n" + inline(confusionPlot().svg(), id: "confusion")
        body += "<h2>Misclassified test digits</h2>\n" + misclassifiedGrid()
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>digits: training report</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1320px; color: #222; }
        table.facts th { text-align: left; padding-right: 1.5em; font-weight: 600; }
        .grid { display: flex; flex-wrap: wrap; gap: 10px; }
        .grid figure { margin: 0; text-align: center; font-size: 13px; }
        .grid img { width: 56px; height: 56px; image-rendering: pixelated; border: 1px solid #ccc; }
        </style></head><body>
        \(body)
        </body></html>
        """
    }

    /// Whole epochs as ticks (a plot of 3 epochs has no epoch 1.5).
    var epochAxis: Axis {
        let step = max(1, history.count / 10)
        return Axis("epoch", ticks: history.map(\.epoch).filter { $0 % step == 0 || $0 == 1 }.map { Tick(Double($0), String($0)) })
    }

    func lossPlot() -> Plot {
        var plot = Plot(title: "Loss", x: epochAxis, y: Axis("mean cross-entropy", scale: .logarithmic), width: 640, height: 400)
        plot.line(history.map { Point(Double($0.epoch), $0.trainLoss) }, label: "training", color: .series(0))
        plot.scatter(history.map { Point(Double($0.epoch), $0.trainLoss) }, color: .series(0), radius: 3)
        plot.line(history.map { Point(Double($0.epoch), $0.testLoss) }, label: "test", color: .series(1))
        plot.scatter(history.map { Point(Double($0.epoch), $0.testLoss) }, color: .series(1), radius: 3)
        return plot
    }

    func accuracyPlot() -> Plot {
        var plot = Plot(title: "Accuracy", x: epochAxis, y: Axis("accuracy (%)"), width: 640, height: 400, legend: .bottomRight)
        plot.line(history.map { Point(Double($0.epoch), 100 * $0.trainAccuracy) }, label: "training", color: .series(0))
        plot.scatter(history.map { Point(Double($0.epoch), 100 * $0.trainAccuracy) }, color: .series(0), radius: 3)
        plot.line(history.map { Point(Double($0.epoch), 100 * $0.testAccuracy) }, label: "test", color: .series(1))
        plot.scatter(history.map { Point(Double($0.epoch), 100 * $0.testAccuracy) }, color: .series(1), radius: 3)
        let validation = history.compactMap { m in m.validationAccuracy.map { Point(Double(m.epoch), 100 * $0) } }
        if !validation.isEmpty { plot.line(validation, label: "validation", color: .series(2), dashed: true) }
        return plot
    }

    /// A distributed run's workers: each one's median compute per step across the epochs, and
    /// the last epoch's figures, with the straggler named. Empty for a run in one process.
    func workersSection() -> String {
        guard let last = history.last(where: { $0.perWorker != nil }), let workers = last.perWorker else { return "" }
        var plot = Plot(title: "Compute per step, median (p95 dashed)", x: epochAxis, y: Axis("ms"), width: 640, height: 360)
        let names = Array(Set(history.flatMap { $0.perWorker?.map(\.name) ?? [] })).sorted()
        for (i, name) in names.enumerated() {
            let points = history.compactMap { m in m.perWorker?.first { $0.name == name }.map { (m.epoch, $0) } }
            plot.line(points.map { Point(Double($0.0), 1000 * $0.1.computeMedianSeconds) }, label: name, color: .series(i))
            plot.scatter(points.map { Point(Double($0.0), 1000 * $0.1.computeMedianSeconds) }, color: .series(i), radius: 3)
            plot.line(points.map { Point(Double($0.0), 1000 * $0.1.computeP95Seconds) }, color: .series(i), dashed: true)
        }
        var html = "<h2>Workers</h2>\n"
        if let (name, ratio) = WorkerEpochMetrics.straggler(workers) {
            html += "<p>Slowest in epoch \(last.epoch): <b>\(escape(name))</b>, compute \(String(format: "%.1f", ratio))× the median of the workers.</p>\n"
        }
        html += inline(plot.svg(), id: "workers")
        html += "<table class=\"facts\"><tr><th>worker</th><th>steps</th><th>compute median</th><th>p95</th><th>waiting</th><th>sent</th><th>received</th></tr>"
        for w in workers {
            html += "<tr><td>\(escape(w.name))</td><td>\(w.steps)</td>"
                + String(format: "<td>%.2f ms</td><td>%.2f ms</td><td>%.2f s</td>", 1000 * w.computeMedianSeconds, 1000 * w.computeP95Seconds, w.waitingSeconds)
                + String(format: "<td>%.1f MB</td><td>%.1f MB</td></tr>", Double(w.bytesSent) / 1e6, Double(w.bytesReceived) / 1e6)
        }
        return html + "</table>\n<p>Epoch \(last.epoch); waiting is the time a worker spent in its steps waiting for the others.</p>\n"
    }

    /// The last step as a timeline: where its time went on the coordinator and on each worker.
    func stepSection() -> String {
        guard let step else { return "" }
        let which = switch stepChosen {
        case .last: "The run's last step"
        case .slowest: "The run's slowest step (another: digits report --timeline FILE --step EPOCH.STEP)"
        case .given: escape(step.step.name.prefix(1).uppercased() + step.step.name.dropFirst())
        }
        return "<h2>One step, worker by worker</h2>\n<p>\(which): the coordinator's send, wait, reduce and update, and each worker's order, compute (one bar per micro-batch node below it), exchange and reply, on the coordinator's clock. Hover a bar for its name and length.</p>\n"
            + inline(step.chart(width: 1280).svg(), id: "step")
    }

    /// One cell per (true, predicted) pair of classes; a data set of one class is a 1×1 grid.
    func confusionPlot() -> Plot {
        let n = evaluation.confusion.count
        let ticks = (0..<n).map { Tick(Double($0), String($0)) }
        var plot = Plot(title: "Confusion matrix (test set)", x: Axis("predicted", range: -0.5...(Double(n) - 0.5), ticks: ticks, gridLines: false),
                        y: Axis("true", range: -0.5...(Double(n) - 0.5), ticks: ticks, reversed: true, gridLines: false),
                        width: 640, height: 600, legend: .hidden)
        // log(1 + count), so that the few errors show beside the thousands of correct answers.
        var values: [Double] = []
        for row in 0..<n { for column in 0..<n { values.append(log1p(Double(evaluation.confusion[row][column]))) } }
        plot.heatMap(Grid(x: 0...Double(n - 1), y: 0...Double(n - 1), columns: n, rows: n, values: values), colorMap: .blues)
        let peak = values.max() ?? 1
        for row in 0..<n {
            for column in 0..<n where evaluation.confusion[row][column] > 0 {
                let dark = values[row * n + column] > 0.6 * peak
                plot.text(String(evaluation.confusion[row][column]), at: Point(Double(column), Double(row)),
                          color: dark ? .white : .text, size: n > 12 ? 9 : 12)
            }
        }
        return plot
    }

    func misclassifiedGrid() -> String {
        guard evaluation.count > 0 else { return "<p>None: the test set is empty.</p>" }
        let wrong = evaluation.predictions.indices.filter { evaluation.predictions[$0] != Int(test.labels[$0]) }
        guard !wrong.isEmpty else { return "<p>None: every test digit was read correctly.</p>" }
        var html = "<p>\(wrong.count) of \(evaluation.count) test digits were misread; the first \(min(wrong.count, Self.gridSize)) are shown as the network saw them, with the true digit and what it read.</p>\n<div class=\"grid\">"
        for i in wrong.prefix(Self.gridSize) {
            let png = test.image(i).pngData()
            html += "<figure><img alt=\"test digit \(i)\" src=\"data:image/png;base64,\(Data(png).base64EncodedString())\"><figcaption>true \(test.labels[i]) → \(evaluation.predictions[i])</figcaption></figure>"
        }
        return html + "</div>"
    }

    /// Writes the report as the model is written: atomically, failing with the system's reason.
    func write(to path: String) throws {
        do {
            try AtomicFile.write(Array(html().utf8), to: path)
        } catch let error as FileError {
            throw CLIError("cannot write the report to \(path): \(error.reason)")
        }
    }

    /// An SVG document as an element of the page: without its XML declaration, and with its
    /// clip-path ids made unique (two figures both defining "plot0-clip" would share one).
    private func inline(_ svg: String, id: String) -> String {
        let body = svg.hasPrefix("<?xml") ? String(svg[(svg.firstIndex(of: "\n").map { svg.index(after: $0) } ?? svg.startIndex)...]) : svg
        return body.replacingOccurrences(of: "id=\"plot", with: "id=\"\(id)-plot").replacingOccurrences(of: "url(#plot", with: "url(#\(id)-plot")
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
