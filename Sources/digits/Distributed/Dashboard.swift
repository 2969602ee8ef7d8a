import DataParallel
import Foundation

/// `--dashboard [HOST:PORT]`: the live view of a run. The coordinator publishes its status
/// on a `LiveFeed` (an ipc socket in a directory only this user can enter) and starts the
/// HTTP server, `digits-serve --follow`, which subscribes to it and serves the page and
/// `GET /metrics`; the trainer itself stays free of HTTP.
struct Dashboard {
    /// Where the page listens without a value: loopback, a fixed port to bookmark.
    static let defaultAddress = "127.0.0.1:8090"

    let feed: LiveFeed
    let server: ChildProcess
    let directory: PrivateDirectory
    /// The page's address, as the server reports it once it listens.
    let url: String

    /// `--dashboard` with no value (the next argument is another flag, or there is none)
    /// gets `defaultAddress`: ArgumentParser has no option whose value may be left out.
    static func fillingDefault(_ arguments: [String]) -> [String] {
        var result: [String] = []
        for (i, argument) in arguments.enumerated() {
            result.append(argument)
            if argument == "--dashboard", i + 1 == arguments.count || arguments[i + 1].hasPrefix("-") {
                result.append(defaultAddress)
            }
        }
        return result
    }

    /// HOST:PORT (`[::1]:8090` for IPv6; port 0: any free one), or why not.
    static func parse(_ address: String) throws -> (host: String, port: Int) {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port) else {
            throw CLIError("--dashboard takes HOST:PORT (such as \(defaultAddress), or 0.0.0.0:8090 for every interface), not \(address)")
        }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw CLIError("--dashboard needs a host before the port, such as 127.0.0.1:\(port) (\(address))") }
        return (host, port)
    }

    /// Binds the feed and starts the server; returns once the page is served.
    init(address: String, status: RunStatus, log: (String) -> Void) throws {
        let (host, port) = try Self.parse(address)
        directory = try PrivateDirectory(prefix: "digits-dashboard-\(getpid())-")
        feed = try LiveFeed(bind: "ipc://\(directory.path)/feed.ipc", status: status)
        let ready = directory.path + "/ready"
        server = try ChildProcess(name: "the dashboard server", executable: try ServerProgram.path(), arguments: [
            "--follow", feed.endpoint, "--bind", host, "--port", String(port), "--ready-file", ready,
        ])
        // Its first words: the address it listens on, or an error on its standard error.
        let deadline = Clock.now() + 30
        var url: String?
        while url == nil && Clock.now() < deadline && server.isRunning {
            url = (try? String(contentsOfFile: ready, encoding: .utf8)).flatMap { $0.hasSuffix("\n") ? String($0.dropLast()) : nil }
            if url == nil { usleep(20_000) }
        }
        guard let url else {
            server.signal(SIGTERM)
            let status = server.wait(upTo: 3)
            directory.remove()
            throw CLIError("the dashboard server did not start on \(address) (exit status \(status)); its error is above")
        }
        self.url = url
        feed.tick()
        log("live view at \(url) (GET /metrics for Prometheus)")
    }

    /// Publishes the last status, then stops the server.
    func stop() {
        feed.tick()
        server.signal(SIGTERM)
        server.wait(upTo: 3)
        directory.remove()
    }
}
