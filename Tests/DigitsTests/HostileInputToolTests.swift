import Datasets
import Foundation
import NeuralNetwork
import XCTest

/// Issue 15 §2–§3: absurd flags, crafted files and failing disks, as a user (or a tester)
/// meets them. Each is an error or a warning that names the flag or the file, never a trap,
/// and never an hour of training lost to a mistake that could be seen at the start.
final class HostileInputToolTests: XCTestCase {
    /// A model with a NaN weight is refused when it is loaded, by every command that reads one.
    func testModelCommands_NaNWeights_AreRefusedAtStartNamingTheFile() throws {
        let directory = try Tool.temporaryDirectory()
        let path = directory.appendingPathComponent("nan.safetensors").path
        var network = Network(architecture: Architecture(inputs: 784, hidden: [], outputs: 10), seed: 1)
        network.parameters[100] = .nan
        try TrainedModel(network: network, imageHeight: 28, imageWidth: 28).write(to: path)
        for command in [["evaluate", "--model", path], ["predict", "--model", path, "/nonexistent/digit.png"]] {
            let run = try Tool.run(command)
            XCTAssertEqual(run.status, 1, "\(command[0]): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains(path) && run.stderr.contains("not finite"), "\(command[0]): \(run.stderr)")
        }
        let server = try Tool.start(["serve", "--model", path, "--port", "0"], logs: directory, name: "serve")
        let deadline = Date(timeIntervalSinceNow: 20)
        while server.isRunning && Date() < deadline { usleep(50_000) }
        if server.isRunning { server.terminate() }
        server.waitUntilExit()
        XCTAssertEqual(server.terminationStatus, 1, "serve must refuse the model at start: \(Tool.log(directory, "serve"))")
        XCTAssertTrue(Tool.log(directory, "serve").contains("not finite"), Tool.log(directory, "serve"))
    }
}
