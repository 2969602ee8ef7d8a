import Foundation
import XCTest
import ZeroMQ

/// Every receive in these tests gives up after this long, so a broken test fails instead
/// of hanging.
let testTimeout = Duration.seconds(2)

/// A ROUTER bound to `endpoint` (read back from `lastEndpoint`) and a DEALER connected to
/// it, both with receive timeouts.
func makeRouterAndDealer(_ context: Context, endpoint: String,
                         configureRouter: (Socket) throws -> Void = { _ in },
                         configureDealer: (Socket) throws -> Void = { _ in }) throws -> (router: Socket, dealer: Socket) {
    let router = try Socket(.router, in: context)
    try router.set(.receiveTimeout, testTimeout)
    try configureRouter(router)
    try router.bind(endpoint)
    let dealer = try Socket(.dealer, in: context)
    try dealer.set(.receiveTimeout, testTimeout)
    try dealer.set(.sendTimeout, testTimeout)
    try configureDealer(dealer)
    try dealer.connect(router.lastEndpoint)
    return (router, dealer)
}

/// The DEALER says "ping", the ROUTER answers "pong" to the routing id it saw.
func assertRoundTrip(router: Socket, dealer: Socket, file: StaticString = #filePath, line: UInt = #line) throws {
    XCTAssertEqual(try dealer.send("ping"), .sent, file: file, line: line)
    let request = try XCTUnwrap(router.receiveMultipart(), "the ROUTER received nothing", file: file, line: line)
    XCTAssertEqual(request.map(\.string).last, "ping", file: file, line: line)
    XCTAssertEqual(request.count, 2, "routing id + payload", file: file, line: line)
    XCTAssertEqual(try router.send(multipart: [request[0], Message("pong")]), .sent, file: file, line: line)
    let reply = try XCTUnwrap(dealer.receive(), "the DEALER received nothing", file: file, line: line)
    XCTAssertEqual(reply.string, "pong", file: file, line: line)
    XCTAssertFalse(reply.hasMore, file: file, line: line)
}

/// A fresh ipc:// endpoint in the temporary directory; the caller removes the file.
func temporaryIPCEndpoint() -> (endpoint: String, path: String) {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("digits-zmq-\(UUID().uuidString.prefix(8)).sock").path
    return ("ipc://\(path)", path)
}

/// Waits until `condition` holds or `timeout` passes; returns whether it held.
func eventually(within timeout: Duration = testTimeout, _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return condition()
}

/// Values written by one thread and read by another in a test.
final class LockedBox<Value: Sendable>: @unchecked Sendable { // `value` is guarded by `lock`
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func update(_ change: (inout Value) -> Void) { lock.withLock { change(&stored) } }
}
