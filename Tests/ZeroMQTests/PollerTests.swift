import Foundation
import XCTest
import ZeroMQ

final class PollerTests: XCTestCase {
    func testPoll_NothingToRead_ReturnsZeroAfterTheTimeout() throws {
        let context = try Context()
        let (router, dealer) = try makeRouterAndDealer(context, endpoint: "inproc://poll-timeout")
        let poller = Poller()
        poller.register(router)
        poller.register(dealer)
        let clock = ContinuousClock()
        let start = clock.now
        XCTAssertEqual(try poller.poll(timeout: .milliseconds(30)), 0)
        XCTAssertGreaterThanOrEqual(clock.now - start, .milliseconds(25))
        XCTAssertEqual(poller.events(for: router), [])
    }

    func testPoll_OneSocketReadable_ReportsThatSocketOnly() throws {
        let context = try Context()
        let (router, dealer) = try makeRouterAndDealer(context, endpoint: "inproc://poll-one")
        let other = try Socket(.pull, in: context)
        try other.bind("inproc://poll-other")
        let poller = Poller()
        let otherIndex = poller.register(other)
        let routerIndex = poller.register(router)
        XCTAssertEqual(poller.count, 2)
        try dealer.send("wake up")
        XCTAssertEqual(try poller.poll(timeout: testTimeout), 1)
        XCTAssertEqual(poller.events(at: routerIndex), .readable)
        XCTAssertEqual(poller.events(at: otherIndex), [])
        XCTAssertNotNil(try router.receiveMultipart(flags: .dontWait))
    }

    func testPoll_Writable_ReportsADealerWithAPeer() throws {
        let context = try Context()
        let (router, dealer) = try makeRouterAndDealer(context, endpoint: "inproc://poll-writable")
        let poller = Poller()
        poller.register(dealer, for: [.readable, .writable])
        XCTAssertEqual(try poller.poll(timeout: testTimeout), 1)
        XCTAssertEqual(poller.events(for: dealer), .writable)
        XCTAssertEqual(poller.events(for: router), [], "not registered")
    }

    func testContextShutdown_WakesABlockedPollOnAnotherThread() throws {
        let context = try Context()
        let outcome = LockedBox<ZeroMQError?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            defer { done.signal() }
            do {
                let socket = try Socket(.pull, in: context)
                try socket.bind("inproc://poll-shutdown")
                let poller = Poller()
                poller.register(socket)
                try poller.poll(timeout: .seconds(10))
            } catch let error as ZeroMQError {
                outcome.update { $0 = error }
            } catch {}
        }.start()
        Thread.sleep(forTimeInterval: 0.05)
        context.shutdown()
        XCTAssertEqual(done.wait(timeout: .now() + 2), .success, "the poll did not wake up")
        XCTAssertEqual(outcome.value?.isContextTerminated, true, "\(String(describing: outcome.value))")
    }
}
