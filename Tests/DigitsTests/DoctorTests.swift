import XCTest

final class DoctorTests: XCTestCase {
    func testDoctor_WithoutCoreTypeSet_ReportsCoreTypeAndFeatures() throws {
        // An empty OPENBLAS_CORETYPE counts as unset: the tool then chooses for itself.
        let run = try Tool.run(["doctor"], environment: ["OPENBLAS_CORETYPE": ""])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("BLAS core type:"), run.stdout)
        XCTAssertTrue(run.stdout.contains("CPU features:"), run.stdout)
        if let best = run.stdout.split(separator: "\n").first(where: { $0.hasPrefix("Best core type: ") }) {
            let name = best.dropFirst("Best core type: ".count)
            XCTAssertTrue(run.stdout.contains("BLAS core type: \(name) (chosen by digits"), run.stdout)
        }
    }

    func testDoctor_UserCoreTypeWins() throws {
        let run = try Tool.run(["doctor"], environment: ["OPENBLAS_CORETYPE": "Prescott"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("BLAS core type: Prescott"), run.stdout)
        XCTAssertTrue(run.stdout.contains("set by OPENBLAS_CORETYPE=Prescott"), run.stdout)
    }
}
