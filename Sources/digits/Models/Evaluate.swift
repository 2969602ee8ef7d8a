import ArgumentParser
import DataParallel
import Datasets
import Foundation

extension Digits {
    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure a model on a test set: accuracy, precision and recall per class, confusion matrix.")

        @OptionGroup var model: ModelOption

        @Option(help: ArgumentHelp("A directory of IDX files (standard MNIST names). Default: the embedded MNIST.", valueName: "dir"))
        var data: String?

        @Option(help: "Measure on the first N test images only.")
        var limit: Int?

        @Flag(help: "Also measure the test set varied as people's handwriting varies, each variation made the same way for every model: strokes thicker by 1 and 2 px and thinner by 1 px, rotated by −15° and +15°, and drawn small in a corner of the drawing page's 280×280 canvas (read through the same clean-up as the page and predict).")
        var robustness = false

        func run() throws {
            let trained = try model.load()
            let dataSet = try loadDataSet(data)
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
            let test = limit.map { dataSet.test.subset(Array(0..<min($0, dataSet.test.count))) } ?? dataSet.test
            guard test.height == trained.imageHeight, test.width == trained.imageWidth, test.classes <= trained.classes else {
                throw CLIError("the model reads \(trained.imageHeight)×\(trained.imageWidth) images of \(trained.classes) classes; \(dataSet.name) has \(test.height)×\(test.width) images of \(test.classes) classes")
            }
            let padded = test.classes == trained.classes ? test : try test.withClasses(trained.classes, source: dataSet.name)
            let evaluation = Evaluation(network: trained.network, images: padded)
            print(Self.render(evaluation, name: dataSet.name))
            guard robustness else { return }
            print("\nrobustness: accuracy on fixed variations of the test set (images no training saw)")
            let row = { (name: String, accuracy: Double) in
                "  " + name.padding(toLength: 20, withPad: " ", startingAt: 0) + String(format: "%7.2f%%", 100 * accuracy)
            }
            print(row("as it is", evaluation.accuracy))
            for variation in RobustnessVariation.allCases where variation.applies(height: padded.height, width: padded.width) {
                FileHandle.standardError.write(Data("evaluate: \(variation.rawValue)…\r".utf8))
                let varied = try variation.apply(to: padded)
                let result = Evaluation(network: trained.network, images: varied)
                print(row(variation.rawValue, result.accuracy))
            }
        }

        static func render(_ e: Evaluation, name: String) -> String {
            var lines = [String(format: "%@ test set: %d images, accuracy %.2f%% (%d correct), mean loss %.4f", name, e.count, 100 * e.accuracy, e.correct, e.meanLoss), ""]
            lines.append("class  precision  recall   count")
            for c in e.confusion.indices {
                lines.append(String(format: "%5d  %8.2f%%  %6.2f%%  %6d", c, 100 * e.precision(c), 100 * e.recall(c), e.confusion[c].reduce(0, +)))
            }
            lines.append("")
            lines.append("confusion matrix (rows: true class, columns: predicted)")
            let width = max(5, String(e.confusion.flatMap { $0 }.max() ?? 0).count + 1)
            let pad = { (s: String) in String(repeating: " ", count: max(0, width - s.count)) + s }
            lines.append(pad("") + e.confusion.indices.map { pad(String($0)) }.joined())
            for (c, row) in e.confusion.enumerated() {
                lines.append(pad(String(c)) + row.map { pad(String($0)) }.joined())
            }
            return lines.joined(separator: "\n")
        }
    }
}
