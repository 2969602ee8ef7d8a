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

let arguments = Arguments(parsing: Array(CommandLine.arguments.dropFirst()))
let (modelPath, bind, port) = (arguments.model, arguments.bind, arguments.port)
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
    try await server.run(host: bind, port: port, limits: arguments.limits) { port in
        // Unbuffered, so that a script waiting for this line sees it at once.
        FileHandle.standardOutput.write(Data("digits serve: reading digits with \(modelPath) at http://\(host):\(port)/ (Ctrl-C stops)\n".utf8))
    }
} catch let error as DrawServerError where error == .addressInUse(host: bind, port: port) {
    fail("\(error): stop the other server or pick another with --port")
} catch {
    fail("the drawing server stopped: \(error)")
}
