import ArgumentParser
import DataParallel
import DrawServer
import Foundation
import NeuralNetwork

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
            """)

        @OptionGroup var model: ModelOption

        @Option(help: ArgumentHelp("The address to listen on. Other than a loopback address, anyone who can reach it can use the page.", valueName: "address"))
        var bind = "127.0.0.1"

        @Option(help: ArgumentHelp("The TCP port (0: any free port, printed at start).", valueName: "port"))
        var port = 8080

        func validate() throws {
            if !(0...65535).contains(port) { throw ValidationError("--port must be 0…65535, not \(port)") }
            if bind.isEmpty { throw ValidationError("--bind needs an address, e.g. 127.0.0.1") }
        }

        func run() throws {
            // Load everything before listening: a bad model file fails here, not at the first request.
            let trained = try model.load()
            let server: DrawServer
            do {
                let report = try DrawServer.loadReport(besideModel: model.model)
                server = try DrawServer(model: trained, name: URL(fileURLWithPath: model.model).lastPathComponent, report: report)
            } catch let error as DrawServerError {
                throw CLIError(error.description)
            }
            BLAS.threads = 1
            if !["127.0.0.1", "::1", "localhost"].contains(bind) {
                FileHandle.standardError.write(Data("warning: listening on \(bind): anyone who can reach this address can use the page\n".utf8))
            }
            let host = bind.contains(":") ? "[\(bind)]" : bind
            let name = server.modelDescription.name
            let app = server.application(host: bind, port: port) { port in
                // Unbuffered, so that a script waiting for this line sees it at once.
                FileHandle.standardOutput.write(Data("digits serve: reading digits with \(name) at http://\(host):\(port)/ (Ctrl-C stops)\n".utf8))
            }
            try runBlocking { try await app.runService() }
        }
    }
}

/// Runs `body` to completion from synchronous code and returns or rethrows its outcome.
///
/// `Digits.main` is synchronous (it may re-execute the process before anything else runs),
/// so `serve` cannot be an `AsyncParsableCommand`. This bridge starts the work in a
/// detached task on the global executor and parks the main thread on a semaphore; the main
/// thread is not one of the executor's threads, so nothing waits on it. Hummingbird's
/// `runService` handles SIGINT and SIGTERM itself and returns after a graceful shutdown.
func runBlocking(_ body: @escaping @Sendable () async throws -> Void) throws {
    final class Outcome: @unchecked Sendable {
        // Written by the task before `done.signal()`, read after `done.wait()`.
        var error: (any Error)?
    }
    let outcome = Outcome()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        do { try await body() } catch { outcome.error = error }
        done.signal()
    }
    done.wait()
    if let error = outcome.error { throw error }
}
