import Foundation
import XCTest

/// Runs every `digits course` exercise as a user would and checks its numbers and its picture.
final class CourseTests: XCTestCase {
    func testPredictLife_PrintsEachRowAndDrawsPointsAndLine() throws {
        let (run, svg) = try course(["predict-life", "--w", "0.5", "--b", "65"], picture: "predict-life")
        for prediction in ["75.00", "65.00", "83.00", "71.00"] { XCTAssertTrue(run.stdout.contains(prediction), run.stdout) }
        XCTAssertGreaterThanOrEqual(svg.count("circle"), 4)
        XCTAssertTrue(svg.hasPath(class: "line"))
        XCTAssertTrue(svg.texts.contains("monthly hours of exercise") && svg.texts.contains("life expectancy (years)"))
    }

    func testLoss_HalfAnd65_Is1_75WithSurfaceAndMark() throws {
        let (run, svg) = try course(["loss", "--w", "0.5", "--b", "65"], picture: "loss")
        XCTAssertTrue(run.stdout.contains("J(w, b) = 1/(2m) Σ (ŷ − y)² = 1.75 "), run.stdout)
        XCTAssertGreaterThan(svg.count("rect"), 100, "the heat map's cells")
        XCTAssertTrue(svg.hasPath(class: "contour"))
        XCTAssertTrue(svg.texts.contains { $0.hasPrefix("(w, b) = (0.5, 65), J = 1.75") }, "\(svg.texts)")
        XCTAssertTrue(svg.texts.contains("w (years per monthly hour)") && svg.texts.contains("b (years)"))
    }

    func testGradientDescent_Defaults_EndWithin1e3OfLeastSquares() throws {
        let (run, svg) = try course(["gradient-descent"], picture: "gradient-descent")
        let w = try XCTUnwrap(number(after: "Final: w = ", in: run.stdout))
        let b = try XCTUnwrap(number(after: ", b = ", in: line(starting: "Final:", in: run.stdout)))
        XCTAssertEqual(w, 0.450292, accuracy: 1e-3)
        XCTAssertEqual(b, 66.345029, accuracy: 1e-3)
        let normalised = try XCTUnwrap(number(after: "steps", reversedIn: line(starting: "  normalised:", in: run.stdout)))
        let raw = try XCTUnwrap(number(after: "steps", reversedIn: line(starting: "  raw units:", in: run.stdout)))
        XCTAssertLessThan(normalised * 100, raw, "normalisation should save most of the steps")
        XCTAssertTrue(svg.hasPath(class: "line"))
        XCTAssertTrue(svg.texts.contains("step") && svg.texts.contains("J (normalised units)"))
    }

    func testGradientDescent_TooLargeRate_SaysTheLossDivergesAndFails() throws {
        let (run, _) = try course(["gradient-descent", "--lr", "3"], picture: "gradient-descent", status: nil)
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("The loss diverges with learning rate α = 3.0"), run.stderr)
        XCTAssertTrue(run.stderr.contains("try --lr"), run.stderr)
        XCTAssertFalse(run.stdout.lowercased().contains("nan"), run.stdout)
        XCTAssertLessThan(run.stdout.split(separator: "\n").count, 30, "stops early, not a screen of numbers")
    }

    func testLogistic_SeparatesTheCloudsWithALine() throws {
        let (run, svg) = try course(["logistic", "--seed", "3"], picture: "logistic")
        let accuracy = try XCTUnwrap(number(after: "Accuracy: ", in: run.stdout))
        XCTAssertGreaterThanOrEqual(accuracy, 90)
        XCTAssertNotNil(number(after: "cross-entropy loss: ", in: run.stdout))
        XCTAssertEqual(svg.count("circle"), 100 + 2, "the points and the legend's two markers")
        XCTAssertTrue(svg.hasPath(class: "contour"))
    }

    func testPolynomial_BeatsPlainLogisticOnTheRing() throws {
        let (run, svg) = try course(["polynomial"], picture: "polynomial")
        let plain = try XCTUnwrap(number(after: "x1, x2 ", in: line(starting: "x1, x2 ", in: run.stdout)))
        let curved = try XCTUnwrap(number(after: "x2^2 ", in: line(starting: "x1, x2, x1^2", in: run.stdout)))
        XCTAssertLessThan(plain, 75)
        XCTAssertGreaterThanOrEqual(curved, 95)
        XCTAssertEqual(svg.count("clipPath"), 2, "both models drawn")
    }

    func testPolynomialRegression_FitsBetterWithDegreeAndDegree3Interpolates() throws {
        let (run, svg) = try course(["polynomial", "--regression", "--degree", "4"], picture: "polynomial-regression")
        let losses = try (1...4).map { degree in
            try XCTUnwrap(Double(line(starting: padded(degree), in: run.stdout).split(separator: " ")[2]))
        }
        XCTAssertEqual(losses[0], 1.4137, accuracy: 1e-3, "degree 1 is the least-squares line")
        XCTAssertLessThan(losses[1], losses[0])
        XCTAssertEqual(losses[2], 0, accuracy: 1e-3, "four points, degree 3: exact")
        XCTAssertEqual(svg.paths(class: "line").count, 4)
    }

    func testNeural_LearnsXORThatALineCannot() throws {
        let (run, svg) = try course(["neural"], picture: "neural")
        let line = try XCTUnwrap(number(after: "logistic regression (a line)", in: run.stdout))
        let network = try XCTUnwrap(number(after: "neural network ", in: self.line(starting: "neural network ", in: run.stdout)))
        XCTAssertLessThan(line, 70)
        XCTAssertGreaterThanOrEqual(network, 95)
        XCTAssertTrue(svg.hasPath(class: "contour"))
        XCTAssertTrue(svg.texts.contains("x₁ (normalised)"))
    }

    func testBadValues_FailWithAClearMessage() throws {
        let cases: [([String], String)] = [
            (["gradient-descent", "--lr", "0"], "--lr must be a positive learning rate"),
            (["gradient-descent", "--lr=-0.5"], "--lr must be a positive learning rate"),
            (["gradient-descent", "--steps", "0"], "--steps must be between 1"),
            (["polynomial", "--regression", "--degree", "0"], "--degree must be between 1 and 10"),
            (["polynomial", "--degree", "9"], "--degree must be between 1 and 6"),
            (["predict-life", "--w", "0.5"], "Missing expected argument '--b <b>'"),
            (["loss", "--w", "nan", "--b", "65"], "--w must be a finite number"),
            (["neural", "--hidden", "8,x"], "--hidden"),
            (["logistic", "--lr"], "Missing value for '--lr <lr>'"),
        ]
        for (arguments, message) in cases {
            let run = try Tool.run(["course"] + arguments)
            XCTAssertNotEqual(run.status, 0, "\(arguments) should fail")
            XCTAssertTrue(run.stderr.contains(message), "\(arguments): \(run.stderr)")
        }
    }

    func testHelp_EachExerciseSaysWhatItTeaches() throws {
        for exercise in ["predict-life", "loss", "gradient-descent", "logistic", "polynomial", "neural"] {
            let run = try Tool.run(["course", exercise, "--help"])
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertTrue(run.stdout.contains("Teaches"), "\(exercise): \(run.stdout)")
            XCTAssertTrue(run.stdout.contains("--seed") && run.stdout.contains("--out"), "\(exercise): \(run.stdout)")
        }
    }

    // MARK: Helpers

    /// Runs `digits course arguments… --out <temporary>`, checks the exit status (unless nil)
    /// and parses the picture `<name>.svg`.
    private func course(_ arguments: [String], picture name: String, status: Int32? = 0,
                        file: StaticString = #filePath, line: UInt = #line) throws -> (ToolRun, SVGDocument) {
        let directory = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try Tool.run(["course"] + arguments + ["--out", directory.path])
        if let status { XCTAssertEqual(run.status, status, run.stderr, file: file, line: line) }
        let url = directory.appendingPathComponent("\(name).svg")
        let svg = try SVGDocument(contentsOf: url)
        XCTAssertTrue(run.stdout.contains("Picture: "), run.stdout, file: file, line: line)
        return (run, svg)
    }

    private func line(starting prefix: String, in text: String) -> String {
        text.split(separator: "\n").first { $0.hasPrefix(prefix) }.map(String.init) ?? ""
    }

    /// The number right after the first occurrence of `marker` (spaces skipped).
    private func number(after marker: String, in text: String) -> Double? {
        guard let range = text.range(of: marker) else { return nil }
        let digits = text[range.upperBound...].drop { $0 == " " }.prefix { $0.isNumber || $0 == "." || $0 == "-" }
        return Double(digits)
    }

    /// The number right before `marker`, e.g. 6077 in "α = 0.00391  6077 steps".
    private func number(after marker: String, reversedIn text: String) -> Double? {
        guard let range = text.range(of: marker) else { return nil }
        return text[..<range.lowerBound].split(separator: " ").last.flatMap { Double($0) }
    }

    private func padded(_ degree: Int) -> String {
        String(repeating: " ", count: 6 - String(degree).count) + String(degree)
    }
}
