@testable import Datasets
import DigitReading
import Foundation
import NeuralNetwork
import XCTest

/// A model's calibration as the reader applies it: the temperature softens the probabilities
/// (the answer stays), and below the model's threshold a reading is not sure, with its second guess.
final class CalibratedReadingTests: XCTestCase {
    func model(temperature: String?, unsureBelow: String?) -> TrainedModel {
        let plain = testModel()
        var metadata = plain.metadata
        metadata["temperature"] = temperature
        metadata["unsure_below"] = unsureBelow
        return TrainedModel(network: plain.network, imageHeight: 28, imageWidth: 28, metadata: metadata)
    }

    func testTemperature_SoftensWithoutChangingTheAnswer_AndTheThresholdSaysNotSure() throws {
        let plain = try DigitReader(model: model(temperature: nil, unsureBelow: nil)).read(sevenOnPaper())
        XCTAssertTrue(plain.sure, "a model without calibration is never unsure")
        let soft = try DigitReader(model: model(temperature: "3", unsureBelow: "0.99")).read(sevenOnPaper())
        XCTAssertEqual(soft.digit, plain.digit)
        XCTAssertLessThan(soft.probabilities[soft.digit], plain.probabilities[plain.digit])
        XCTAssertEqual(soft.probabilities.reduce(0, +), 1, accuracy: 1e-4)
        XCTAssertFalse(soft.sure, "an untrained model's readings are far below 99%")
        XCTAssertEqual(soft.topTwo.first, soft.digit)
        XCTAssertEqual(soft.topTwo.count, 2)
        XCTAssertGreaterThanOrEqual(soft.probabilities[soft.topTwo[0]], soft.probabilities[soft.topTwo[1]])
        let json = String(decoding: try JSONEncoder().encode(soft), as: UTF8.self)
        XCTAssertTrue(json.contains(#""sure":false"#) && json.contains(#""top_two":["#), json)
    }
}
