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

        func validate() throws {
            if !(0...65535).contains(port) { throw ValidationError("--port must be 0…65535, not \(port)") }
            if bind.isEmpty { throw ValidationError("--bind needs an address, e.g. 127.0.0.1") }
        }

        func run() throws {
            let server = try ServerProgram.path()
            try ServerProgram.replaceProcess(with: server, arguments: ["--model", model, "--bind", bind, "--port", String(port)])
        }
    }
}
