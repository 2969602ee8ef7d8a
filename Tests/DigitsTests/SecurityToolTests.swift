import Foundation
import XCTest

/// Nobody joins a run without a credential, by default: the tools as a user starts them.
final class SecurityToolTests: XCTestCase {
    static let flags = ["--limit", "600", "--batch", "64", "--micro-batch", "32", "--epochs", "1", "--layers", "8", "--seed", "3"]

    func address() -> String { "ipc:///tmp/digits-\(UUID().uuidString.prefix(8)).ipc" }

    /// The coordinator makes a token and prints it; a worker with it joins, one with another
    /// token cannot, and one with none is told what it needs.
    func testCoordinator_ByDefault_PrintsAJoinToken_AndOnlyItsHoldersJoin() throws {
        let directory = try Tool.temporaryDirectory()
        let address = address()
        let coordinator = try Tool.start(["coordinator", "--bind", address, "--workers", "1", "--join-timeout", "20",
                                          "--heartbeat-timeout", "2", "--out", directory.appendingPathComponent("m.safetensors").path] + Self.flags,
                                         logs: directory, name: "coordinator")
        defer { coordinator.terminate(); coordinator.waitUntilExit() }
        var token = ""
        let deadline = Date(timeIntervalSinceNow: 20)
        while token.isEmpty && Date() < deadline {
            usleep(50_000)
            token = Tool.log(directory, "coordinator").split(separator: " ").first { $0.hasPrefix("digits-token-") }.map { String($0.prefix(53)) } ?? ""
        }
        XCTAssertEqual(token.count, 53, Tool.log(directory, "coordinator"))
        let other = try Tool.run(["keys", "token", "--out", directory.appendingPathComponent("other.token").path])
        XCTAssertEqual(other.status, 0, other.stderr)
        let stranger = try Tool.run(["worker", "--connect", address, "--name", "stranger", "--timeout", "1.5",
                                     "--token-file", directory.appendingPathComponent("other.token").path])
        XCTAssertNotEqual(stranger.status, 0, "another run's token does not open this one")
        let bare = try Tool.run(["worker", "--connect", address, "--name", "bare", "--timeout", "1.5"])
        XCTAssertNotEqual(bare.status, 0)
        XCTAssertTrue(bare.stderr.contains("a worker needs a credential"), bare.stderr)
        let good = try Tool.run(["worker", "--connect", address, "--name", "good", "--timeout", "20"], environment: ["DIGITS_TOKEN": token])
        XCTAssertEqual(good.status, 0, good.stderr)
        coordinator.waitUntilExit()
        let log = Tool.log(directory, "coordinator")
        XCTAssertEqual(coordinator.terminationStatus, 0, log)
        XCTAssertTrue(log.contains("worker good joined"), log)
        XCTAssertFalse(log.contains("stranger joined"), log)
    }

    func testCoordinator_Insecure_SaysWhatItAllows() throws {
        let run = try Tool.run(["coordinator", "--bind", address(), "--insecure", "--workers", "1", "--join-timeout", "0.5"] + Self.flags)
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("may join without a credential, receive the training samples and the weights, and corrupt the model"), run.stderr)
    }

    func testCoordinator_SIGTERMWhileWaitingForWorkers_ExitsAtOnce() throws {
        let directory = try Tool.temporaryDirectory()
        let coordinator = try Tool.start(["coordinator", "--bind", address(), "--insecure", "--workers", "2", "--join-timeout", "60"] + Self.flags,
                                         logs: directory, name: "coordinator")
        let deadline = Date(timeIntervalSinceNow: 20)
        while !Tool.log(directory, "coordinator").contains("waiting for 2 worker(s)") && Date() < deadline { usleep(20_000) }
        let signalled = Date()
        kill(coordinator.processIdentifier, SIGTERM)
        coordinator.waitUntilExit()
        XCTAssertLessThan(Date().timeIntervalSince(signalled), 5, "not the 60 s join timeout")
        XCTAssertEqual(coordinator.terminationStatus, 130, Tool.log(directory, "coordinator"))
        XCTAssertTrue(Tool.log(directory, "coordinator").contains("stopped by a signal while waiting for workers"), Tool.log(directory, "coordinator"))
    }

    /// launch's workers connect over ipc through a directory only this user can enter.
    func testLaunch_IpcSocketIsInAPrivateDirectory() throws {
        let directory = try Tool.temporaryDirectory()
        let launch = try Tool.start(["launch", "--workers", "1", "--out", directory.appendingPathComponent("m.safetensors").path,
                                     "--limit", "3000", "--epochs", "50", "--batch", "64", "--micro-batch", "32", "--layers", "8"],
                                    logs: directory, name: "launch")
        defer { launch.terminate(); launch.waitUntilExit() }
        var socket = ""
        let deadline = Date(timeIntervalSinceNow: 20)
        while socket.isEmpty && Date() < deadline {
            usleep(20_000)
            socket = Tool.log(directory, "launch").split(separator: " ").first { $0.hasPrefix("ipc://") }.map { String($0.dropFirst(6).dropLast()) } ?? ""
        }
        let folder = (socket as NSString).deletingLastPathComponent
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: folder)[.posixPermissions] as? Int, folder)
        XCTAssertEqual(mode & 0o777, 0o700, "\(folder) must be private")
        XCTAssertTrue(folder.contains("digits-launch-\(launch.processIdentifier)-"), folder)
    }
}
