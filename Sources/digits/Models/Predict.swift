import ArgumentParser
import DataParallel
import Datasets
import DigitReading
import Foundation

extension Digits {
    struct Predict: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read the digit in each image (PNG or PGM, any size, dark on light or light on dark); \"not sure\" and the two likeliest digits when the calibrated confidence is below the model's threshold.",
            discussion: """
            Each image is prepared as MNIST was made: grayscale, inverted if the ink is dark, \
            cropped to the ink, fitted into 20×20 keeping its aspect ratio, and centred by its \
            centre of mass in 28×28. A photo or scan of a digit on paper is cleaned up first \
            (noise, uneven light, grey or faint paper). Prints the digit and the three likeliest \
            classes; an image that cannot be read is reported, naming it, and the others are read.
            """)

        @OptionGroup var model: ModelOption

        @Argument(help: ArgumentHelp("Image files.", valueName: "image"))
        var images: [String]

        func validate() throws {
            if images.isEmpty { throw ValidationError("give at least one image file") }
        }

        func run() throws {
            // The same reader as the drawing page of `digits serve`: one preprocessing, one forward pass.
            let reader: DigitReader
            do {
                reader = try DigitReader(model: model.load())
            } catch let error as UnsuitableModel {
                throw CLIError("\(error)")
            }
            var failures = 0
            for path in images {
                do {
                    let reading = try reader.read(GrayImage.read(path: path))
                    let p = reading.probabilities
                    let top = p.indices.sorted { p[$0] > p[$1] }.prefix(3)
                    let list = top.map { String(format: "%d (%.1f%%)", $0, 100 * p[$0]) }.joined(separator: ", ")
                    // Below the model's calibrated threshold: say so, and give the second guess.
                    let answer = reading.sure ? "\(reading.digit)" : "not sure: \(reading.topTwo[0]) or \(reading.topTwo[1])"
                    print("\(path): \(answer)   top 3: \(list)")
                } catch let error as DatasetError {
                    failures += 1
                    FileHandle.standardError.write(Data("error: \(Self.message(for: error, reading: path))\n".utf8))
                }
            }
            if failures > 0 { throw ExitCode(1) }
        }

        /// What went wrong with the image at `path`, naming it. The errors of reading and
        /// decoding name their file already; that a picture has no ink is found later, by the
        /// preprocessing, which does not know where the picture came from.
        static func message(for error: DatasetError, reading path: String) -> String {
            if case .noInk = error { return "\(path): \(error)" }
            return error.description
        }
    }
}
