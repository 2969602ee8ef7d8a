import ArgumentParser
import Foundation

extension Digits {
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve a web page to draw digits on and watch the model read them.",
            discussion: """
            One self-contained page (it loads nothing from the internet) with a canvas to draw \
            on, the ten probabilities, the 28×28 image the network sees and a description of \
            the model, with a link to its training report when one is beside it (M.html for \
            M.safetensors). The same server answers POST /api/predict (a PNG, or JSON \
            {"width":W,"height":H,"pixels":[...]}) and GET /api/model. It listens on the \
            loopback address unless --bind says otherwise. Ctrl-C stops it.

            Limits, so that clients that connect and send slowly or nothing cannot hold the \
            server: a connection must send its first request line and headers within 10 s \
            (--header-timeout; else 408 and closed), is closed after 30 s without sending \
            anything (--idle-timeout; also in the middle of a body), and at most 64 are open at \
            once (--max-connections; one more is answered 503 and closed).

            The server is the program digits-serve beside this one (apart, so that building \
            the trainer does not wait for the HTTP stack). In a package checkout, the first \
            `digits serve` builds it, once (about 3 minutes on 2 cores).
            """)

        @Option(help: ArgumentHelp("A model written by `digits train` (safetensors).", valueName: "file"))
        var model: String = "model.safetensors"

        @Option(help: ArgumentHelp("The address to listen on. Other than a loopback address, anyone who can reach it can use the page.", valueName: "address"))
        var bind = "127.0.0.1"

        @Option(help: ArgumentHelp("The TCP port (0: any free port, printed at start).", valueName: "port"))
        var port = 8080

        // Without a value, digits-serve applies the server's own defaults, which the
        // discussion above gives.
        @Option(help: ArgumentHelp("Seconds a connection may take to send its request line and headers (default 10).", valueName: "seconds"))
        var headerTimeout: Int?

        @Option(help: ArgumentHelp("Seconds a connection may send nothing before it is closed (default 30).", valueName: "seconds"))
        var idleTimeout: Int?

        @Option(help: ArgumentHelp("Connections open at once; more are answered 503 (default 64).", valueName: "count"))
        var maxConnections: Int?

        func validate() throws {
            if !(0...65535).contains(port) { throw ValidationError("--port must be 0…65535, not \(port)") }
            if bind.isEmpty { throw ValidationError("--bind needs an address, e.g. 127.0.0.1") }
            // Past an hour a timeout protects nothing; past 10 000 connections the process runs
            // out of file descriptors (1024 by default) first.
            for (flag, value, range) in [("--header-timeout", headerTimeout, 1...3600), ("--idle-timeout", idleTimeout, 1...3600),
                                         ("--max-connections", maxConnections, 1...10_000)] {
                if let value, !range.contains(value) {
                    throw ValidationError("\(flag) must be \(range.lowerBound)…\(range.upperBound), not \(value)")
                }
            }
        }

        func run() throws {
            let server = try ServerProgram.path()
            var arguments = ["--model", model, "--bind", bind, "--port", String(port)]
            for (flag, value) in [("--header-timeout", headerTimeout), ("--idle-timeout", idleTimeout), ("--max-connections", maxConnections)] {
                if let value { arguments += [flag, String(value)] }
            }
            try ServerProgram.replaceProcess(with: server, arguments: arguments)
        }
    }
}
