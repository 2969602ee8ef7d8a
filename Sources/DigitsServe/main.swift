// `digits-serve`: the HTTP server, a program of its own so that building the trainer does not
// wait for swift-nio and Hummingbird. `digits serve` checks the flags (its --help explains
// them) and replaces itself with this program, found beside it, to serve the drawing page;
// `digits launch --dashboard` and `digits coordinator --dashboard` start it to serve the
// live view of their run.
import DataParallel
import DigitReading
import DrawServer
import Foundation
import Hummingbird
import LiveView
import NeuralNetwork

/// Prints "Error: <sentence>" as the `digits` tool does, and exits 1.
func fail(_ sentence: String) -> Never {
    FileHandle.standardError.write(Data("Error: \(sentence)\n".utf8))
    exit(1)
}

func warn(_ sentence: String) {
    FileHandle.standardError.write(Data("\(sentence)\n".utf8))
}

let arguments = Arguments(parsing: Array(CommandLine.arguments.dropFirst()))
let (bind, port) = (arguments.bind, arguments.port)
let host = bind.contains(":") ? "[\(bind)]" : bind
let router: Router<BasicRequestContext>
let onRunning: @Sendable (Int) -> Void
/// What to do about a port in use.
let otherPort: String
switch arguments.mode {
case .draw(let modelPath):
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
        warn("warning: listening on \(bind): anyone who can reach this address can use the page")
    }
    router = server.router()
    otherPort = "pick another with --port"
    onRunning = { port in
        // Unbuffered, so that a script waiting for this line sees it at once.
        FileHandle.standardOutput.write(Data("digits serve: reading digits with \(modelPath) at http://\(host):\(port)/ (Ctrl-C stops)\n".utf8))
    }
case .follow(let feed, let readyFile):
    let view = LiveView()
    do {
        let subscriber = try LiveFeedSubscriber(connect: feed)
        // The coordinator stops this server when its run ends; if it dies instead (kill -9),
        // this process is handed to another parent, and ends too.
        let parent = getppid()
        view.follow(subscriber, shouldStop: {
            if getppid() != parent { exit(0) }
            return false
        }, invalid: { warn("digits-serve: \($0)") })
    } catch {
        fail("\(error)")
    }
    if !["127.0.0.1", "::1", "localhost"].contains(bind) {
        warn("warning: the live view listens on \(bind): anyone who can reach this address sees the run's figures")
    }
    router = view.router()
    otherPort = "pick another with --dashboard HOST:PORT"
    onRunning = { port in
        // The coordinator waits for this file's line, then prints the address itself.
        let line = "http://\(host):\(port)/\n"
        // Not written: the coordinator gives up after its wait and says the server did not start.
        guard FileManager.default.createFile(atPath: readyFile + ".part", contents: Data(line.utf8)) else { return }
        rename(readyFile + ".part", readyFile)
    }
}
// Hummingbird handles SIGINT and SIGTERM itself, and `run` returns after a graceful shutdown.
do {
    try await HTTPService.run(router: router, host: bind, port: port, limits: arguments.limits, onRunning: onRunning)
} catch let error as DrawServerError where error == .addressInUse(host: bind, port: port) {
    fail("\(error): stop the other server or \(otherPort)")
} catch {
    fail("the server stopped: \(error)")
}
