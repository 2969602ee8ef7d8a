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
        XCTAssertTrue(run.stdout.contains("Using degrees 1 to 4 (given), a stable α per degree, 3000 steps each (the defaults); try --degree"), run.stdout)
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
            (["predict-life", "--w"], "Missing value for '--w <w>'"),
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

    // MARK: Bare runs: each exercise runs without options and says what it chose

    func testCourse_Alone_ListsTheSixExercisesInTheCourseOrder() throws {
        let run = try Tool.run(["course"])
        XCTAssertEqual(run.status, 0, run.stderr)
        // "  1. predict-life      Predict life expectancy …": number, name, one line of what it is.
        let rows = run.stdout.split(separator: "\n").map { $0.split(separator: " ") }.filter { $0.first?.last == "." }
        XCTAssertEqual(rows.map { $0[0] }, ["1.", "2.", "3.", "4.", "5.", "6."], run.stdout)
        XCTAssertEqual(rows.map { $0[1] }, ["predict-life", "loss", "gradient-descent", "logistic", "polynomial", "neural"])
        XCTAssertTrue(rows.allSatisfy { $0.count > 4 }, run.stdout)
        XCTAssertTrue(run.stdout.contains("`digits course predict-life`"), run.stdout)
    }

    func testPredictLife_Bare_ShowsThePoorDefaultLineAndWhereToGoNext() throws {
        let (run, using, svg) = try bare("predict-life")
        XCTAssertTrue(using.hasPrefix("Using w = 0.3, b = 68 (the defaults); try --w "), using)
        for prediction in ["74.00", "68.00", "78.80", "71.60"] { XCTAssertTrue(run.stdout.contains(prediction), run.stdout) }
        XCTAssertTrue(run.stdout.contains("`digits course loss --w 0.3 --b 68`"), run.stdout)
        XCTAssertTrue(svg.texts.contains("ŷ = 0.3000·x + 68.0000"), "\(svg.texts)")
    }

    func testPredictLife_OnlyW_KeepsTheDefaultBAndSaysWhichIsWhich() throws {
        let (run, _) = try course(["predict-life", "--w", "0.5"], picture: "predict-life")
        XCTAssertTrue(run.stdout.hasPrefix("Using w = 0.5 (given), b = 68 (the default); try --w "), run.stdout)
        for prediction in ["78.00", "68.00", "86.00", "74.00"] { XCTAssertTrue(run.stdout.contains(prediction), run.stdout) }
    }

    func testLoss_Bare_ScoresTheDefaultLine() throws {
        let (run, using, svg) = try bare("loss")
        XCTAssertTrue(using.hasPrefix("Using w = 0.3, b = 68 (the defaults); try --w "), using)
        XCTAssertTrue(run.stdout.contains("J(w, b) = 1/(2m) Σ (ŷ − y)² = 3.75 "), run.stdout)
        XCTAssertTrue(svg.texts.contains { $0.hasPrefix("(w, b) = (0.3, 68), J = 3.75") }, "\(svg.texts)")
    }

    func testGradientDescent_Bare_SaysItsRateStepsAndUnits() throws {
        let (run, using, svg) = try bare("gradient-descent")
        XCTAssertTrue(using.hasPrefix("Using α = 0.5, 100 steps, x and y normalised to [-1, 1] (the defaults); try --lr "), using)
        XCTAssertTrue(using.contains("--no-normalize"), using)
        XCTAssertNotNil(number(after: "Final: w = ", in: run.stdout), run.stdout)
        XCTAssertTrue(svg.texts.contains("J (normalised units)"), "\(svg.texts)")
    }

    func testLogistic_Bare_SaysItsRateStepsAndSeed() throws {
        let (run, using, svg) = try bare("logistic")
        XCTAssertTrue(using.hasPrefix("Using α = 1, 300 steps, seed 1 (the defaults); try --lr "), using)
        XCTAssertTrue(using.contains("--seed 2"), using)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(number(after: "Accuracy: ", in: run.stdout)), 90)
        XCTAssertEqual(svg.count("circle"), 100 + 2, "the points and the legend's two markers")
    }

    func testPolynomial_Bare_SaysItsDegreeRateStepsAndSeed() throws {
        let (run, using, svg) = try bare("polynomial")
        XCTAssertTrue(using.hasPrefix("Using degree 2, α = 1, 1000 steps, seed 1 (the defaults); try --degree "), using)
        XCTAssertTrue(using.contains("--regression"), using)
        XCTAssertTrue(run.stdout.contains("x1, x2, x1^2, x1*x2, x2^2 "), run.stdout)
        XCTAssertEqual(svg.count("clipPath"), 2, "both models drawn")
    }

    func testNeural_Bare_SaysItsLayersRateStepsAndSeed() throws {
        let (run, using, svg) = try bare("neural")
        XCTAssertTrue(using.hasPrefix("Using hidden layers 8,8, α = 0.05, 300 steps, seed 1 (the defaults); try --hidden "), using)
        let network = try XCTUnwrap(number(after: "neural network ", in: line(starting: "neural network ", in: run.stdout)))
        XCTAssertGreaterThanOrEqual(network, 95)
        XCTAssertTrue(svg.hasPath(class: "contour"))
    }

    // MARK: Helpers

    /// Runs `digits course <exercise>` with no options at all, in a fresh directory, as a
    /// student first would; checks it succeeds, says which values it used before its results,
    /// and wrote its picture to the default `course-out/<exercise>.svg`. Returns that "Using" line.
    private func bare(_ exercise: String, file: StaticString = #filePath, line: UInt = #line) throws
        -> (ToolRun, String, SVGDocument) {
        let directory = try Tool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try Tool.run(["course", exercise], currentDirectory: directory)
        XCTAssertEqual(run.status, 0, run.stderr, file: file, line: line)
        let using = self.line(starting: "Using ", in: run.stdout)
        XCTAssertTrue(run.stdout.split(separator: "\n").prefix(2).contains { $0 == using }, run.stdout, file: file, line: line)
        XCTAssertTrue(run.stdout.contains("Picture: course-out/\(exercise).svg"), run.stdout, file: file, line: line)
        let svg = try SVGDocument(contentsOf: directory.appendingPathComponent("course-out/\(exercise).svg"))
        return (run, using, svg)
    }


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
