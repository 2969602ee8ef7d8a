import DataParallel
import Foundation

/// Shows training progress: a redrawn bar on a terminal, plain lines otherwise, nothing
/// with --quiet. Results (a line per epoch, the final summary) go to standard output, so
/// that `digits train > log` keeps them; progress, logs and warnings to standard error.
final class ProgressView {
    enum Mode { case terminal, lines, quiet }
    let mode: Mode
    private var drewBar = false

    init(quiet: Bool) {
        if quiet { mode = .quiet } else if isatty(STDERR_FILENO) == 1 { mode = .terminal } else { mode = .lines }
    }

    /// A diagnostic line (what is going on, a warning), on standard error.
    func message(_ text: String) { write(text, to: .standardError) }

    /// A result line (an epoch's figures, the final summary), on standard output.
    func result(_ text: String) { write(text, to: .standardOutput) }

    private func write(_ text: String, to handle: FileHandle) {
        guard mode != .quiet else { return }
        clearBar()
        handle.write(Data((text + "\n").utf8))
    }

    func step(_ p: RunProgress) {
        guard mode == .terminal else { return }
        let width = 24
        let filled = p.totalSteps == 0 ? width : width * p.globalStep / p.totalSteps
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let total = max(p.compute + p.communication + p.wait, 1e-9)
        let split = p.communication + p.wait > 0
            ? String(format: " | compute %.0f%% comm %.0f%% wait %.0f%%", 100 * p.compute / total, 100 * p.communication / total, 100 * p.wait / total)
            : ""
        let line = String(format: "\r%@ step %d/%d epoch %d/%d loss %.4f acc %.2f%% %@ samples/s ETA %@%@\u{1B}[K",
                          bar, p.globalStep, p.totalSteps, p.epoch, p.epochs, p.epochStatistics.meanLoss,
                          100 * p.epochStatistics.accuracy, Self.grouped(p.samplesPerSecond), Self.duration(p.secondsLeft), split)
        FileHandle.standardError.write(Data(line.utf8))
        drewBar = true
    }

    func epoch(_ m: EpochMetrics) {
        var line = String(format: "epoch %d: train loss %.4f acc %.2f%% | test loss %.4f acc %.2f%%",
                          m.epoch, m.trainLoss, 100 * m.trainAccuracy, m.testLoss, 100 * m.testAccuracy)
        if let v = m.validationAccuracy { line += String(format: " | validation acc %.2f%%", 100 * v) }
        line += String(format: " | %.1f s, %@ samples/s", m.seconds, Self.grouped(m.samplesPerSecond))
        if m.communicationSeconds + m.waitSeconds > 0 {
            line += String(format: " (compute %.2f s, comm %.2f s, wait %.2f s)", m.computeSeconds, m.communicationSeconds, m.waitSeconds)
        }
        result(line)
        if let (name, ratio) = m.perWorker.flatMap({ WorkerEpochMetrics.straggler($0) }) {
            message(String(format: "epoch %d: slowest: %@, compute %.1f× the median of the workers (--metrics has each worker's median and p95)", m.epoch, name, ratio))
        }
    }

    func finish() { clearBar() }

    private func clearBar() {
        if drewBar {
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
            drewBar = false
        }
    }

    static func grouped(_ value: Double) -> String {
        let n = Int(value.rounded())
        let digits = String(n)
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}

/// Ctrl-C (SIGINT) and SIGTERM as a flag that the training loop polls between steps, so
/// the model trained so far can be saved before exiting. A second signal exits at once.
enum Interrupt {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0

    static func install() {
        let handler: @convention(c) (Int32) -> Void = { signal in
            if Interrupt.flag != 0 { _exit(128 + signal) }
            Interrupt.flag = signal
        }
        Glibc.signal(SIGINT, handler)
        Glibc.signal(SIGTERM, handler)
    }

    static var requested: Bool { flag != 0 }
    static var signalNumber: Int32 { flag }
}
