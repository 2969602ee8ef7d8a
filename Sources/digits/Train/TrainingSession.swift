import ArgumentParser
import DataParallel
import Datasets
import Foundation
import NeuralNetwork

/// What `train` and `coordinator` share once their trainer is built: run it with progress
/// and metrics, stop cleanly on Ctrl-C, save the model and the report.
struct TrainingSession {
    let options: TrainingOptions
    let data: TrainingData
    let dataName: String
    let trainer: Trainer
    let workers: Int
    let role: String
    let progress: ProgressView
    var history: [EpochMetrics] = []

    func run() throws {
        let run = TrainingRun(trainer: trainer, data: data, workers: workers)
        run.history = history
        if let path = options.metrics { run.metricsWriter = try MetricsWriter(path: path, append: options.resume != nil) }
        run.onStep = progress.step
        run.onEpoch = progress.epoch
        if let path = options.checkpoint {
            let every = options.checkpointEvery
            run.afterStep = { trainer in
                if trainer.nextStep % every == 0 { try checkpoint(trainer, history: run.history).write(to: path) }
            }
        }
        Interrupt.install()
        run.shouldStop = { Interrupt.requested }
        let start = Clock.now()
        let interrupted = try run.run()
        progress.finish()
        let test = run.lastTestEvaluation ?? Evaluation(network: trainer.network, images: data.test)
        let model = TrainedModel(network: trainer.network, imageHeight: data.train.height, imageWidth: data.train.width,
                                 metadata: metadata(test: test, interrupted: interrupted))
        try model.write(to: options.out)
        if let path = options.checkpoint { try checkpoint(trainer, history: run.history).write(to: path) }
        try TrainingReport(model: model, history: run.history, evaluation: test, test: data.test).write(to: options.reportPath)
        if interrupted {
            progress.message("interrupted at step \(trainer.nextStep) of \(trainer.plan.totalSteps): saved the model trained so far to \(options.out)")
        }
        progress.message(String(format: "test accuracy %.2f%% after %.1f s; model saved to %@, report to %@", 100 * test.accuracy, Clock.now() - start, options.out, options.reportPath))
        if interrupted { throw ExitCode(130) }
    }

    func checkpoint(_ trainer: Trainer, history: [EpochMetrics]) -> Checkpoint {
        let model = TrainedModel(network: trainer.network, imageHeight: data.train.height, imageWidth: data.train.width)
        return Checkpoint(model: model, optimizer: trainer.optimizer, settings: options.settings,
                          sampleCount: trainer.plan.sampleCount, nextStep: trainer.nextStep, history: history)
    }

    func metadata(test: Evaluation, interrupted: Bool) -> [String: String] {
        let s = options.settings
        var meta = [
            "trained_by": role,
            "data": dataName,
            "seed": String(s.seed),
            "epochs": String(s.epochs),
            "batch": String(s.batch),
            "micro_batch": String(s.microBatch),
            "optimizer": s.optimizer.rawValue,
            "learning_rate": String(s.learningRate),
            "lr_schedule": s.schedule.rawValue,
            "training_samples": String(data.train.count),
            "workers": String(workers),
            "test_accuracy": String(format: "%.4f", test.accuracy),
            "steps_done": String(trainer.nextStep),
        ]
        if interrupted { meta["interrupted"] = "true" }
        return meta
    }
}
