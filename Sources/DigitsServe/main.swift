// `digits-serve`: the drawing page's HTTP server, a program of its own so that building the
// trainer does not wait for swift-nio and Hummingbird. `digits serve` checks the flags
// (its --help explains them) and replaces itself with this program, found beside it.
import DigitReading
import DrawServer
import Foundation
import NeuralNetwork

/// Prints "Error: <sentence>" as the `digits` tool does, and exits 1.
func fail(_ sentence: String) -> Never {
    FileHandle.standardError.write(Data("Error: \(sentence)\n".utf8))
    exit(1)
}

/// `--model FILE --bind ADDRESS --port PORT`, each once, as `digits serve` passes them.
func parse(_ arguments: [String]) -> (model: String, bind: String, port: Int) {
    var values: [String: String] = [:]
    var rest = arguments[...]
    while let flag = rest.popFirst() {
        guard ["--model", "--bind", "--port"].contains(flag), values[flag] == nil, let value = rest.popFirst() else {
            fail("digits-serve takes --model FILE --bind ADDRESS --port PORT, not \(arguments.joined(separator: " ")); start it as `digits serve` (see `digits serve --help`)")
        }
        values[flag] = value
    }
    guard let model = values["--model"], let bind = values["--bind"], let port = values["--port"].flatMap(Int.init),
          (0...65535).contains(port), !bind.isEmpty
    else { fail("digits-serve needs --model FILE --bind ADDRESS --port 0…65535; start it as `digits serve` (see `digits serve --help`)") }
    return (model, bind, port)
}

let (modelPath, bind, port) = parse(Array(CommandLine.arguments.dropFirst()))
// Load everything before listening: a bad model file fails here, not at the first request.
let server: DrawServer
do {
    let model = try TrainedModel(contentsOf: modelPath)
    server = try DrawServer(model: model, name: URL(fileURLWithPath: modelPath).lastPathComponent,
                            report: DrawServer.loadReport(besideModel: modelPath))
} catch let error as SafeTensorsError {
    fail(error.description)
} catch let error as UnsuitableModel {
    fail(error.description)
} catch let error as DrawServerError where error == .addressInUse(host: bind, port: port) {
    fail(error.description)
}
BLAS.threads = 1
if !["127.0.0.1", "::1", "localhost"].contains(bind) {
    FileHandle.standardError.write(Data("warning: listening on \(bind): anyone who can reach this address can use the page\n".utf8))
}
let host = bind.contains(":") ? "[\(bind)]" : bind
// Hummingbird handles SIGINT and SIGTERM itself, and `run` returns after a graceful shutdown.
do {
    try await server.run(host: bind, port: port) { port in
        // Unbuffered, so that a script waiting for this line sees it at once.
        FileHandle.standardOutput.write(Data("digits serve: reading digits with \(modelPath) at http://\(host):\(port)/ (Ctrl-C stops)\n".utf8))
    }
} catch let error as DrawServerError where error == .addressInUse(host: bind, port: port) {
    fail("\(error): stop the other server or pick another with --port")
} catch {
    fail("the drawing server stopped: \(error)")
}
