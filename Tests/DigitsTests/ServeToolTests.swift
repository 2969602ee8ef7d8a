import Foundation
import Glibc
import XCTest

/// `digits serve` as a user starts it: it runs the drawing server `digits-serve` from beside
/// itself (the test build makes both) and says which model it reads.
final class ServeToolTests: XCTestCase {
    /// Only its own line: the HTTP server's info log ("Server started…", which comes first)
    /// is off unless LOG_LEVEL asks for it.
    func testServe_PrintsTheModelPathItWasGiven_AndNothingElse() throws {
        try withServe(model: "my model.safetensors", ["--port", "0"]) { line, model, directory in
            XCTAssertTrue(line.contains("reading digits with \(model) at http://127.0.0.1:"), "\(line)\n\(Tool.log(directory, "serve"))")
            XCTAssertEqual(line.split(separator: "\n").count, 1, line)
            XCTAssertFalse(Tool.log(directory, "serve").contains("Server started"), Tool.log(directory, "serve"))
        }
    }

    /// The server's own --help (what the container image runs to check it starts) says what
    /// it is and where its flags are explained.
    func testServerProgramHelp_SaysHowToStartIt() throws {
        let help = try Tool.run(["--help"], program: "digits-serve")
        XCTAssertEqual(help.status, 0, help.stderr)
        XCTAssertTrue(help.stdout.contains("digits serve --help") && help.stdout.contains("--follow"), help.stdout)
        let bad = try Tool.run(["--bogus"], program: "digits-serve")
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("digits serve --help"), bad.stderr)
    }

    func testServeHelp_MentionsTheLimitsAndTheirFlags() throws {
        let help = try Tool.run(["serve", "--help"])
        XCTAssertEqual(help.status, 0, help.stderr)
        for mention in ["--header-timeout", "--idle-timeout", "--max-connections", "within 10 s", "after 30 s", "at most 64"] {
            XCTAssertTrue(help.stdout.contains(mention), "no \"\(mention)\" in:\n\(help.stdout)")
        }
    }

    func testServe_LimitOutOfRange_IsRefusedNamingTheFlag() throws {
        let run = try Tool.run(["serve", "--model", "/nonexistent/model.safetensors", "--idle-timeout", "0"])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("--idle-timeout must be 1…3600, not 0"), run.stderr)
    }

    /// The flag reaches the server: a connection that sends nothing is answered 408 after 1 s.
    func testServe_HeaderTimeoutFlag_IsTheServersLimit() throws {
        try withServe(["--port", "0", "--header-timeout", "1"]) { line, _, directory in
            let port = try XCTUnwrap(line.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) }, "\(line)\n\(Tool.log(directory, "serve"))")
            let started = Date()
            let answer = try silentExchange(port: port)
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 408"), answer)
            XCTAssertLessThan(Date().timeIntervalSince(started), 5)
        }
    }

    func testServe_MissingModel_NamesTheFileAndFails() throws {
        let run = try Tool.run(["serve", "--model", "/nonexistent/model.safetensors", "--port", "0"])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("/nonexistent/model.safetensors"), run.stderr)
    }

    func testServe_PortInUse_NamesTheAddressAndWhatToDo_AndFails() throws {
        let directory = try Tool.temporaryDirectory()
        let model = try trainModel(in: directory)
        let (socket, port) = try listeningSocket()
        defer { close(socket) }
        let server = try Tool.start(["serve", "--model", model, "--port", String(port)], logs: directory, name: "serve")
        let deadline = Date(timeIntervalSinceNow: 30)
        while Date() < deadline && server.isRunning { usleep(50_000) }
        if server.isRunning {
            server.terminate()
            server.waitUntilExit()
            return XCTFail("digits serve is still running on port \(port), which is in use:\n\(Tool.log(directory, "serve"))")
        }
        XCTAssertEqual(server.terminationStatus, 1)
        let log = Tool.log(directory, "serve")
        XCTAssertTrue(log.contains("Error: port \(port) on 127.0.0.1 is in use: stop the other server or pick another with --port"), log)
        XCTAssertFalse(log.contains("errno"), log)
    }

    /// Trains a model, starts `digits serve --model it arguments…`, and once it prints its URL,
    /// runs `body` with that line, the model's path and the logs' directory; then stops it.
    private func withServe(model name: String = "model.safetensors", _ arguments: [String],
                           _ body: (String, String, URL) throws -> Void) throws {
        let directory = try Tool.temporaryDirectory()
        let model = try trainModel(in: directory, named: name)
        let server = try Tool.start(["serve", "--model", model] + arguments, logs: directory, name: "serve")
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let out = directory.appendingPathComponent("serve.out")
        var line = ""
        let deadline = Date(timeIntervalSinceNow: 30)
        while Date() < deadline && server.isRunning && !line.contains("http://") {
            usleep(50_000)
            line = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        }
        try body(line, model, directory)
    }

    /// Trains a small model into `directory` and returns its path.
    private func trainModel(in directory: URL, named name: String = "model.safetensors",
                            file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let model = directory.appendingPathComponent(name).path
        let train = try Tool.run(["train", "--limit", "500", "--epochs", "1", "--layers", "8", "--out", model, "--quiet"])
        XCTAssertEqual(train.status, 0, train.stderr, file: file, line: line)
        return model
    }

    /// Connects to 127.0.0.1:`port`, sends nothing, and returns what the server sends before
    /// it closes the connection, waiting 10 s at most.
    private func silentExchange(port: Int) throws -> String {
        let socket = try tcpSocket()
        defer { close(socket) }
        var limit = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var received: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 4096)
        while case let count = recv(socket, &chunk, chunk.count, 0), count > 0 { received += chunk[..<count] }
        return String(decoding: received, as: UTF8.self)
    }

    /// A socket listening on a free port of 127.0.0.1, as another server would; the caller closes it.
    private func listeningSocket() throws -> (socket: Int32, port: Int) {
        let socket = try tcpSocket()
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && listen(socket, 1) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        guard listening else {
            let code = errno
            close(socket)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        return (socket, Int(UInt16(bigEndian: address.sin_port)))
    }

    private func tcpSocket() throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        return socket
    }

    private func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(INADDR_LOOPBACK).bigEndian
        return address
    }
}
