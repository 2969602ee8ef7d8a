import XCTest
@testable import NeuralNetwork

/// Temperature scaling: T is found where it is, the calibration error falls, the "not sure"
/// threshold is where readings start being wrong, and a model file's values are checked.
final class CalibrationTests: XCTestCase {
    /// N readings of 4 classes whose true probabilities are softmax(z / 2), reported as
    /// softmax(z): over-confident, as a network often is, by a temperature of exactly 2.
    func overConfident(_ n: Int) -> (probabilities: [Float], labels: [Int]) {
        var g = SeededGenerator(seed: 9)
        var probabilities: [Float] = [], labels: [Int] = []
        for _ in 0..<n {
            let z = (0..<4).map { _ in Double(g.nextFloat(limit: 4)) }
            let honest = Calibration.scaled(z.map { Float(exp($0)) }, temperature: 2)
            var u = Double(g.nextUnitFloat()), label = 0
            while label < 3 && u >= honest[label] { u -= honest[label]; label += 1 }
            labels.append(label)
            let e = z.map(exp), total = e.reduce(0, +)
            probabilities += e.map { Float($0 / total) }
        }
        return (probabilities, labels)
    }

    func testFit_FindsTheTemperature_AndTheErrorFalls() {
        let (p, y) = overConfident(6000)
        let t = Calibration.fitTemperature(p, classes: 4, labels: y)
        XCTAssertEqual(t, 2, accuracy: 0.2, "the readings are over-confident by T = 2")
        let before = Calibration.expectedCalibrationError(p, classes: 4, labels: y, temperature: 1)
        let after = Calibration.expectedCalibrationError(p, classes: 4, labels: y, temperature: t)
        XCTAssertGreaterThan(before, 0.05)
        XCTAssertLessThan(after, before / 3, "ECE \(before) → \(after)")
        XCTAssertLessThan(Calibration.negativeLogLikelihood(p, classes: 4, labels: y, temperature: t),
                          Calibration.negativeLogLikelihood(p, classes: 4, labels: y, temperature: 1))
    }

    func testScaled_KeepsTheOrderAndSumsToOne() {
        let row: [Float] = [0.7, 0.2, 0.1, 0]
        for t in [0.5, 1, 3] {
            let s = Calibration.scaled(row, temperature: t)
            XCTAssertEqual(s.reduce(0, +), 1, accuracy: 1e-12)
            XCTAssertEqual(s.indices.max { s[$0] < s[$1] }, 0)
            XCTAssertEqual(s[3], 0, "a probability of 0 stays 0")
        }
        XCTAssertLessThan(Calibration.scaled(row, temperature: 3)[0], 0.7, "T > 1 softens")
    }

    func testUnsureThreshold_IsWhereReadingsStartBeingWrong() {
        // Five unsure readings (0.40…0.60), three of them wrong; twenty sure and right ones
        // (0.900…0.995). The least confident readings with at least one in five wrong are
        // the first 15 (3 of 15): the threshold is the 16th's confidence, 0.95.
        var p: [Float] = [], y: [Int] = []
        let confidences = [0.4, 0.45, 0.5, 0.55, 0.6] + (0..<20).map { 0.9 + 0.005 * Double($0) }
        for (k, c) in confidences.enumerated() {
            p += [Float(c), Float(1 - c) / 2, Float(1 - c) / 2]
            y.append(k < 5 && k % 2 == 0 ? 1 : 0)
        }
        let threshold = Calibration.unsureThreshold(p, classes: 3, labels: y, temperature: 1)
        XCTAssertEqual(threshold, 0.95, accuracy: 1e-6)
        XCTAssertEqual(Calibration.unsureThreshold(p, classes: 3, labels: [Int](repeating: 0, count: 25), temperature: 1), 0,
                       "never wrong: never unsure")
    }

    func testMetadata_BadValuesMeanNoCalibration() {
        XCTAssertEqual(Calibration(metadata: [:]), Calibration(temperature: 1, unsureBelow: 0))
        XCTAssertEqual(Calibration(metadata: ["temperature": "1.5", "unsure_below": "0.6"]), Calibration(temperature: 1.5, unsureBelow: 0.6))
        for (t, u) in [("-1", "2"), ("nan", "-0.1"), ("inf", "x"), ("0", "nan")] {
            XCTAssertEqual(Calibration(metadata: ["temperature": t, "unsure_below": u]), Calibration(temperature: 1, unsureBelow: 0), "\(t), \(u)")
        }
    }
}
