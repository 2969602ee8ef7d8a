import ArgumentParser
import DataParallel

/// The long flags given on this process's command line: `--epochs 3` and `--epochs=3` both
/// give "--epochs". ArgumentParser fills a flag left out with its default and cannot say
/// which it was, so `verify` and `export-plan`, whose defaults differ from `train`'s, ask here.
struct GivenFlags {
    let names: Set<String>

    init(_ arguments: [String] = CommandLine.arguments) {
        var names = Set<String>()
        for argument in arguments.dropFirst() {
            if argument == "--" { break }
            guard argument.hasPrefix("--") else { continue }
            names.insert(String(argument.split(separator: "=", maxSplits: 1)[0]))
        }
        self.names = names
    }

    func contains(_ flag: String) -> Bool { names.contains(flag) }
}

/// Comma-separated counts such as "1,2,3" (workers, threads), each at least 1.
struct Counts: ExpressibleByArgument, CustomStringConvertible {
    var values: [Int]

    init(_ values: [Int]) { self.values = values }

    init?(argument: String) {
        let values = argument.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) >= 1 && $0! <= 4096 }) else { return nil }
        self.values = values.map { $0! }
    }

    var description: String { values.map(String.init).joined(separator: ",") }
    var defaultValueDescription: String { description }
}

/// A comma-separated list of exchanges: "sliced,star".
struct Exchanges: ExpressibleByArgument, CustomStringConvertible {
    var values: [ExchangeKind]

    init(_ values: [ExchangeKind]) { self.values = values }

    init?(argument: String) {
        let values = argument.split(separator: ",").map { ExchangeKind(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { return nil }
        self.values = values.map { $0! }
    }

    var description: String { values.map(\.rawValue).joined(separator: ",") }
    var defaultValueDescription: String { description }
}

extension TrainingSettings {
    /// The flags that give `train`, `launch` or `coordinator` these settings (and `--data`).
    func arguments(data: String?) -> [String] {
        var flags = ["--layers", hidden.map(String.init).joined(separator: ","), "--epochs", String(epochs),
                     "--batch", String(batch), "--micro-batch", String(microBatch), "--lr", String(learningRate),
                     "--optimizer", optimizer.rawValue, "--lr-schedule", schedule.rawValue, "--seed", String(seed),
                     "--validation", String(validation), "--augment", augmentation.description]
        if let limit { flags += ["--limit", String(limit)] }
        if let data { flags += ["--data", data] }
        return flags
    }
}
