import DrawServer
import Foundation

/// What `digits serve` passes: `--model FILE --bind ADDRESS --port PORT`, and the limits
/// `--header-timeout SECONDS --idle-timeout SECONDS --max-connections N` when the user gave
/// them (it checked their ranges); or, for a coordinator's `--dashboard`, `--follow ENDPOINT
/// --bind ADDRESS --port PORT --ready-file FILE` instead of `--model`. Each flag once.
struct Arguments {
    /// What to serve: the drawing page for a model, or the live view of a run.
    enum Mode {
        case draw(model: String)
        case follow(feed: String, readyFile: String)
    }

    var mode: Mode
    var bind: String
    var port: Int
    var limits = ConnectionLimits()

    static let usage = "--model FILE --bind ADDRESS --port PORT [--header-timeout SECONDS] [--idle-timeout SECONDS] [--max-connections N]"

    static let help = """
    digits-serve: the HTTP server of `digits serve` (the drawing page) and of `--dashboard`
    (the live view of a run). Start it through those: they check the flags and explain them
    (`digits serve --help`, `digits launch --help`).

    Usage: digits-serve \(usage)
           digits-serve --follow ENDPOINT --ready-file FILE --bind ADDRESS --port PORT

    It logs warnings and errors only; LOG_LEVEL=info (or debug, trace) logs more.

    """

    init(parsing arguments: [String]) {
        if arguments == ["--help"] || arguments == ["-h"] {
            print(Self.help, terminator: "")
            exit(0)
        }
        let flags = ["--model", "--follow", "--ready-file", "--bind", "--port", "--header-timeout", "--idle-timeout", "--max-connections"]
        var values: [String: String] = [:]
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard flags.contains(flag), values[flag] == nil, let value = rest.popFirst() else {
                fail("digits-serve takes \(Self.usage), not \(arguments.joined(separator: " ")); start it as `digits serve` (see `digits serve --help`)")
            }
            values[flag] = value
        }
        /// The value of `flag`, or nil when it was not given.
        func positive(_ flag: String) -> Int? {
            guard let text = values[flag] else { return nil }
            guard let value = Int(text), value > 0 else {
                fail("digits-serve needs \(flag) above 0, not \(text); start it as `digits serve` (see `digits serve --help`)")
            }
            return value
        }
        switch (values["--model"], values["--follow"], values["--ready-file"]) {
        case (let model?, nil, nil): mode = .draw(model: model)
        case (nil, let feed?, let ready?): mode = .follow(feed: feed, readyFile: ready)
        default: fail("digits-serve needs \(Self.usage); start it as `digits serve` (see `digits serve --help`), or as `digits launch --dashboard`")
        }
        guard let bind = values["--bind"], let port = values["--port"].flatMap(Int.init), (0...65535).contains(port), !bind.isEmpty
        else { fail("digits-serve needs \(Self.usage), with a port of 0…65535; start it as `digits serve` (see `digits serve --help`)") }
        (self.bind, self.port) = (bind, port)
        if let seconds = positive("--header-timeout") { limits.headerTimeout = .seconds(seconds) }
        if let seconds = positive("--idle-timeout") { limits.idleTimeout = .seconds(seconds) }
        if let count = positive("--max-connections") { limits.maximumConnections = count }
    }
}
