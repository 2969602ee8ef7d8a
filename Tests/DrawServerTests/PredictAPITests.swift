@testable import Datasets
import DigitReading
import DrawServer
import Foundation
import Hummingbird
import XCTest

/// `POST /api/predict` answers a good drawing, in either format, with what the one
/// preprocessing code path (`MNISTPreprocessing.prepare`) and the network make of it.
final class PredictAPITests: XCTestCase {
    func testPredict_PNG_ReturnsArgmaxProbabilitiesAndThePreparedInput() async throws {
        let expected = try MNISTPreprocessing.prepare(sevenOnPaper())
        try await withServer { client in
            try await client.execute(uri: "/api/predict", method: .post, headers: pngType, body: pngBody(sevenOnPaper())) { response in
                XCTAssertEqual(response.status, .ok, String(buffer: response.body))
                let reading = try JSONDecoder().decode(DigitReader.Reading.self, from: Data(buffer: response.body))
                XCTAssertEqual(reading.probabilities.count, 10)
                XCTAssertEqual(reading.probabilities.reduce(0, +), 1, accuracy: 1e-4)
                XCTAssertEqual(reading.digit, reading.probabilities.indices.max { reading.probabilities[$0] < reading.probabilities[$1] })
                XCTAssertEqual(reading.input, Drawing(width: 28, height: 28, pixels: expected.pixels.map(Int.init)))
            }
        }
    }

    func testPredict_JSONAndPNGOfTheSameDrawing_GiveTheSameReading() async throws {
        try await withServer { client in
            let png = try await client.execute(uri: "/api/predict", method: .post, headers: pngType, body: pngBody(sevenOnPaper())) { $0 }
            let json = try await client.execute(uri: "/api/predict", method: .post, headers: jsonType, body: jsonBody(sevenOnPaper())) { $0 }
            XCTAssertEqual(json.status, .ok, String(buffer: json.body))
            XCTAssertEqual(String(buffer: png.body), String(buffer: json.body))
        }
    }

    func testPredict_ContentTypeWithParameters_IsAccepted() async throws {
        try await withServer { client in
            try await client.execute(uri: "/api/predict", method: .post, headers: [.contentType: "application/json; charset=utf-8"],
                                     body: jsonBody(sevenOnPaper())) { XCTAssertEqual($0.status, .ok) }
        }
    }

    func testReader_ModelOfAnotherImageSize_IsRefusedAtStartUp() throws {
        XCTAssertThrowsError(try DrawServer(model: testModel(side: 8), name: "m", report: nil)) { error in
            XCTAssertTrue("\(error)".contains("8×8"), "\(error)")
        }
    }
}
