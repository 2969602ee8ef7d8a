import ArgumentParser

/// Flags from `DIGITS_*` environment variables, so that containers can be configured
/// without a shell: `DIGITS_EPOCHS=3` is `--epochs 3`, `DIGITS_MICRO_BATCH=32` is
/// `--micro-batch 32`, `DIGITS_ALLOW_MIXED_KERNELS=1` sets that flag, and
/// `DIGITS_COORDINATOR` is the coordinator's address (`--connect` for a worker, `--bind`
/// for the coordinator). Read once, here at the edge; a flag on the command line wins.
enum EnvironmentArguments {
    static let commands: [String: ParsableCommand.Type] = [
        "coordinator": Digits.CoordinatorCommand.self,
        "worker": Digits.WorkerCommand.self,
        "launch": Digits.Launch.self,
    ]

    /// `arguments` (without the program name) with the environment's flags appended.
    static func expand(_ arguments: [String], environment: [String: String]) -> [String] {
        guard let name = arguments.first, let command = commands[name] else { return arguments }
        let usage = command.helpMessage(includeHidden: true, columns: 10_000)
        var result = arguments
        for (key, value) in environment.sorted(by: { $0.key < $1.key }) where key.hasPrefix("DIGITS_") {
            var flag = "--" + key.dropFirst("DIGITS_".count).lowercased().replacingOccurrences(of: "_", with: "-")
            if key == "DIGITS_COORDINATOR" { flag = name == "worker" ? "--connect" : "--bind" }
            guard usage.contains(flag + " "), !arguments.contains(where: { $0 == flag || $0.hasPrefix(flag + "=") }) else { continue }
            if usage.contains(flag + " <") {
                result += [flag, value]
            } else if ["1", "true", "yes", "on"].contains(value.lowercased()) {
                result.append(flag)
            }
        }
        return result
    }
}
