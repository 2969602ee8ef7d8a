import DrawServer
import XCTest

/// Failures to start listening are errors a user can act on.
final class ListeningTests: XCTestCase {
    func testPortInUse_ThrowsAddressInUse_NamingTheHostAndPort() async throws {
        try await withServer { client in
            let second = try DrawServer(model: testModel(), name: "second.safetensors", report: nil)
            let running = Task { try await second.run(host: "127.0.0.1", port: client.port, gracefulShutdownSignals: []) }
            // Should it listen after all, the test stops it rather than wait for ever.
            let watchdog = Task {
                try await Task.sleep(for: .seconds(10))
                running.cancel()
            }
            defer { watchdog.cancel() }
            do {
                try await running.value
                XCTFail("a second server ran on port \(client.port)")
            } catch let error as DrawServerError {
                XCTAssertEqual(error, .addressInUse(host: "127.0.0.1", port: client.port))
                XCTAssertEqual(error.description, "port \(client.port) on 127.0.0.1 is in use")
            }
        }
    }
}
