import Foundation
import Glibc
import XCTest

/// `digits serve` as a user starts it: it runs the drawing server `digits-serve` from beside
/// itself (the test build makes both) and says which model it reads.
final class ServeToolTests: XCTestCase {
    func testServe_PrintsTheModelPathItWasGiven() throws {
        let directory = try Tool.temporaryDirectory()
        let model = try trainModel(in: directory, named: "my model.safetensors")
        let server = try Tool.start(["serve", "--model", model, "--port", "0"], logs: directory, name: "serve")
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
        XCTAssertTrue(line.contains("reading digits with \(model) at http://127.0.0.1:"), "\(line)\n\(Tool.log(directory, "serve"))")
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

    /// Trains a small model into `directory` and returns its path.
    private func trainModel(in directory: URL, named name: String = "model.safetensors",
                            file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let model = directory.appendingPathComponent(name).path
        let train = try Tool.run(["train", "--limit", "500", "--epochs", "1", "--layers", "8", "--out", model, "--quiet"])
        XCTAssertEqual(train.status, 0, train.stderr, file: file, line: line)
        return model
    }

    /// A socket listening on a free port of 127.0.0.1, as another server would; the caller closes it.
    private func listeningSocket() throws -> (socket: Int32, port: Int) {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = in_addr_t(INADDR_LOOPBACK).bigEndian
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
}
