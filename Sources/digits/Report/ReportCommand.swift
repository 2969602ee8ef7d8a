import ArgumentParser
import DataParallel
import Datasets
import Foundation

extension Digits {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the HTML report of a model: loss and accuracy per epoch, confusion matrix, misread digits.",
            discussion: """
            `digits train` writes it too, beside the model. The curves need the metrics file of the run (--metrics). \
            With the run's trace (--timeline, from `--timeline FILE` on train, launch or coordinator) it draws one step \
            worker by worker: the one given by --step, or else the run's slowest.
            """)

        @OptionGroup var model: ModelOption

        @Option(help: ArgumentHelp("The JSON-lines metrics file written by `train --metrics`.", valueName: "file"))
        var metrics: String?

        @Option(help: ArgumentHelp("A directory of IDX files (standard MNIST names). Default: the embedded MNIST.", valueName: "dir"))
        var data: String?

        @Option(help: ArgumentHelp("The run's trace, written by `--timeline FILE`.", valueName: "file"))
        var timeline: String?

        @Option(help: ArgumentHelp("The step of the trace to draw: EPOCH.STEP, both from 1 (2.15: epoch 2, its step 15). Default: the slowest.",
                                   valueName: "epoch.step"))
        var step: String?

        @Option(help: ArgumentHelp("Where to write the report.", valueName: "file"))
        var out: String = "report.html"

        /// --step's span name (`Timeline.stepName`), nil when it is not EPOCH.STEP from 1.
        var stepName: String? {
            let parts = (step ?? "").split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
            guard parts.count == 2, let epoch = parts[0], let step = parts[1], epoch >= 1, step >= 1 else { return nil }
            return Timeline.stepName(epoch: epoch - 1, step: step - 1)
        }

        func validate() throws {
            if let step {
                guard stepName != nil else {
                    throw ValidationError("--step takes EPOCH.STEP, both whole numbers from 1 (as in 2.15), not '\(step)'")
                }
                if timeline == nil { throw ValidationError("--step picks a step of the trace: give the trace with --timeline FILE") }
            }
        }

        func run() throws {
            let trained = try model.load()
            var history: [EpochMetrics] = []
            if let metrics {
                guard let text = try? String(contentsOfFile: metrics, encoding: .utf8) else { throw CLIError("cannot read the metrics file \(metrics)") }
                for (n, line) in text.split(separator: "\n").enumerated() {
                    guard let m = try? JSONDecoder().decode(EpochMetrics.self, from: Data(line.utf8)) else {
                        throw CLIError("\(metrics), line \(n + 1): not a metrics line written by digits train")
                    }
                    history.append(m)
                }
            }
            let test = try loadDataSet(data).test
            guard test.featureCount == trained.network.architecture.inputs, test.classes <= trained.classes else {
                throw CLIError("the model reads \(trained.imageHeight)×\(trained.imageWidth) images of \(trained.classes) classes; the test set has \(test.height)×\(test.width) images of \(test.classes)")
            }
            let drawn = try timeline.map { try StepTimeline(trace: Timeline.Trace(path: $0), step: stepName, file: $0) }
            let evaluation = Evaluation(network: trained.network, images: test)
            try TrainingReport(model: trained, history: history, evaluation: evaluation, test: test, step: drawn,
                               stepChosen: step == nil ? .slowest : .given).write(to: out)
            print("wrote \(out)")
        }
    }
}
