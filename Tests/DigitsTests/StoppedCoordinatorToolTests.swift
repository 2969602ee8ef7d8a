import Foundation
import XCTest

extension FaultToolTests {
    /// A coordinator stopped (SIGSTOP) for longer than its workers' timeout finds them all
    /// gone when it continues: it saves the training state, says what happened and how to go
    /// on, and the resumed run writes the weights of an undisturbed one.
    func testSIGSTOP_CoordinatorPastTheWorkersTimeout_SavesAndSaysHowToResume() throws {
        let stopped = try startCoordinator(workers: 1, name: "stopped")
        let worker = try startWorker("w1")
        wait("the first checkpoint") { FileManager.default.fileExists(atPath: checkpoint) }
        kill(stopped.processIdentifier, SIGSTOP)
        worker.waitUntilExit()
        XCTAssertTrue(Tool.log(directory, "w1").contains("the coordinator has been silent"), Tool.log(directory, "w1"))
        kill(stopped.processIdentifier, SIGCONT)
        stopped.waitUntilExit()
        let log = Tool.log(directory, "stopped")
        XCTAssertEqual(stopped.terminationStatus, 1, log)
        XCTAssertTrue(log.contains("no workers left") && log.contains("start the workers again and run the same command with --resume \(checkpoint)"), log)
        XCTAssertFalse(log.contains("lower --lr"), log)
        let resumed = try startCoordinator(workers: 1, extra: ["--resume", checkpoint])
        try finish(resumed, workers: [try startWorker("w2")])
    }
}
