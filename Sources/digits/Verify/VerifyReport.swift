import DataParallel
import Foundation
import NeuralNetwork

/// One row of `digits verify`'s table: a configuration, how it ran, and how its weights
/// compare with the reference's.
struct VerifyRow: Codable {
    var id: String
    var configuration: String
    var wallSeconds: Double
    var samplesPerSecond: Double?
    var comparison: ModelComparison?
    /// "reference", "identical", "differs" or "failed: <reason>".
    var verdict: String
    var notes: [String]

    enum CodingKeys: String, CodingKey {
        case id, configuration, comparison, verdict, notes
        case wallSeconds = "wall_seconds", samplesPerSecond = "samples_per_second"
    }

    var identical: Bool { verdict == "reference" || verdict == "identical" }

    init(_ configuration: VerifyConfiguration, outcome: RunOutcome, reference: TrainedModel?) {
        id = configuration.id
        self.configuration = configuration.label
        wallSeconds = outcome.seconds
        samplesPerSecond = outcome.samplesPerSecond
        notes = outcome.notes
        if let failure = outcome.failure {
            verdict = "failed: \(failure)"
            return
        }
        guard let model = outcome.model, let reference else {
            verdict = "failed: there is no reference to compare with"
            return
        }
        do {
            let comparison = try ModelComparison(model: model, reference: reference)
            self.comparison = comparison
            if let mismatch = comparison.mismatch { verdict = "failed: \(mismatch)" }
            else { verdict = configuration == .reference ? "reference" : comparison.identical ? "identical" : "differs" }
        } catch {
            verdict = "failed: \(error)"
        }
    }
}

/// The whole table, as printed and as `--json` writes it.
struct VerifyReport: Codable {
    var settings: TrainingSettings
    var rows: [VerifyRow]
    /// Whether every row wrote the reference's weights.
    var passed: Bool

    init(settings: TrainingSettings, rows: [VerifyRow]) {
        self.settings = settings
        self.rows = rows
        passed = rows.allSatisfy(\.identical)
    }

    var table: String {
        let header = ["configuration", "wall", "samples/s", "weights SHA-256", "differ", "max |Δ|", "max ULP", "verdict"]
        let cells = rows.map { row -> [String] in
            let c = row.comparison
            return [row.configuration, String(format: "%.1f s", row.wallSeconds),
                    row.samplesPerSecond.map { ProgressView.grouped($0) } ?? "—",
                    c.map { String($0.sha256.prefix(16)) } ?? "—",
                    c.map { "\($0.differing)/\($0.parameters)" } ?? "—",
                    c.map { $0.differing == 0 ? "0" : String(format: "%.3g", $0.maxAbsoluteDifference) } ?? "—",
                    c.map { String($0.maxULPDifference) } ?? "—",
                    row.verdict]
        }
        let widths = header.indices.map { i in ([header] + cells).map { $0[i].count }.max()! }
        let numeric: Set<Int> = [1, 2, 4, 5, 6]
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, text in
                let pad = String(repeating: " ", count: widths[i] - text.count)
                return i == cells.count - 1 ? text : numeric.contains(i) ? pad + text : text + pad
            }.joined(separator: "  ")
        }
        return ([line(header)] + cells.map(line)).joined(separator: "\n")
    }

    /// The sentence under the table: all identical, or what differs first and what failed.
    var summary: String {
        guard let reference = rows.first, let sha = reference.comparison?.sha256 else {
            return "the reference run failed (\(rows.first?.verdict ?? "it did not run")): nothing to compare with"
        }
        if passed {
            return "all \(rows.count) configurations wrote the same weights, bit for bit (tensor bytes SHA-256 \(sha))"
        }
        var lines: [String] = []
        for row in rows where !row.identical {
            if let c = row.comparison, let first = c.first {
                lines.append("\(row.configuration) differs from the reference in \(c.differing) of \(c.parameters) parameters; the first is \(first.description)")
            } else {
                lines.append("\(row.configuration) \(row.verdict)")
            }
        }
        return lines.joined(separator: "\n")
    }

    func write(json path: String) throws {
        let encoder = JSONEncoder.sorted
        encoder.outputFormatting.insert(.prettyPrinted)
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard FileManager.default.createFile(atPath: path, contents: try encoder.encode(self) + Data("\n".utf8)) else {
            throw CLIError("cannot write \(path): check that its directory exists and is writable")
        }
    }
}
