import ArgumentParser
import DataParallel
import Datasets
import Foundation
import NeuralNetwork

/// What every trainer needs before its executor: the data, the plan and the architecture.
struct PreparedRun {
    let dataName: String
    let data: TrainingData
    let plan: Plan
    let architecture: Architecture

    init(_ options: TrainingOptions) throws {
        let dataSet = try options.loadData()
        dataName = dataSet.name
        data = try TrainingData(dataSet, settings: options.settings)
        if let problem = options.sizeProblem(inputs: data.train.featureCount, classes: data.train.classes) {
            throw ValidationError("\(problem) (for \(dataName)'s \(data.train.height)×\(data.train.width) images of \(data.train.classes) classes)")
        }
        plan = Plan(settings: options.settings, sampleCount: data.train.count)
        architecture = options.settings.architecture(inputs: data.train.featureCount, classes: data.train.classes)
        BLAS.threads = 1
    }

    /// The session that trains with `executor`, from fresh weights or from `--resume`.
    func session(_ options: TrainingOptions, executor: StepExecutor, workers: Int, role: String, progress: ProgressView,
                 timeline: Timeline? = nil) throws -> TrainingSession {
        let start = try options.startingPoint(plan: plan, architecture: architecture, progress: progress)
        let trainer = Trainer(plan: plan, network: start.network, optimizer: start.optimizer, nextStep: start.nextStep, executor: executor)
        trainer.timeline = timeline
        return TrainingSession(options: options, data: data, dataName: dataName, trainer: trainer, workers: workers,
                               role: role, progress: progress, history: start.history, timeline: timeline)
    }
}

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
    /// `--timeline`: written as the run goes, closed at the end.
    var timeline: Timeline?
    /// Called during long work between steps (evaluation), e.g. to send heartbeats.
    var keepAlive: () -> Void = {}
    /// Called as soon as no more steps will run, before the final save (e.g. to let workers go).
    var trainingDone: () -> Void = {}
    /// `--dashboard`: the run's status, published for the live view.
    var feed: LiveFeed?
    /// `train --eval-every N --eval-log FILE`: the test set is also evaluated every N steps, into FILE.
    var evaluations: (every: Int, log: String)?

    func run() throws {
        let run = TrainingRun(trainer: trainer, data: data, workers: workers)
        run.timeline = timeline
        defer { timeline?.close() }
        run.keepAlive = keepAlive
        run.history = history
        if let path = options.metrics {
            run.metricsWriter = try MetricsWriter(path: path, append: options.resume != nil, onWriteError: progress.message)
        }
        let feed = feed
        feed?.begin(history: history)
        run.onStep = { progress.step($0); feed?.step($0) }
        run.onEpoch = { progress.epoch($0); feed?.epoch($0) }
        if let evaluations {
            let log = try MetricsWriter(path: evaluations.log, label: "evaluation log", append: options.resume != nil,
                                        onWriteError: progress.message)
            run.evaluateEvery = evaluations.every
            run.onEvaluation = { log.write($0) }
        }
        let keeper = options.checkpoint.map { CheckpointKeeper(path: $0, warn: progress.message) }
        if let keeper {
            let every = options.checkpointEvery
            let timeline = timeline
            run.afterStep = { trainer in
                guard trainer.nextStep % every == 0 else { return }
                let start = Clock.now()
                keeper.save(checkpoint(trainer, history: run.history))
                timeline?.span("checkpoint", category: "checkpoint", track: Timeline.coordinatorTrack, from: start, to: Clock.now(),
                               args: ["step": String(trainer.nextStep)])
            }
        }
        Interrupt.install()
        run.shouldStop = { Interrupt.requested }
        // A file-size limit (ulimit -f) then fails a write with EFBIG, reported like a full
        // disk, instead of killing the run with SIGXFSZ.
        signal(SIGXFSZ, SIG_IGN)
        let start = Clock.now()
        let interrupted: Bool
        do {
            interrupted = try run.run()
        } catch let error where !(error is WorkersLost) {
            feed?.finish("failed")
            throw error
        } catch is WorkersLost where Interrupt.requested {
            // The workers were stopped with us (a job cancelled or requeued, Ctrl-C in a
            // terminal group): an interruption, saved as one, not a failure.
            interrupted = true
        } catch let lost as WorkersLost {
            // Every worker is gone (say the coordinator was stopped longer than their timeout):
            // keep the state at the last finished step, so the run can go on.
            feed?.finish("failed")
            trainingDone()
            progress.finish()
            let saver = keeper ?? CheckpointKeeper(path: options.out + ".checkpoint", warn: progress.message)
            saver.save(checkpoint(trainer, history: run.history))
            guard saver.lastGood == trainer.nextStep else {
                throw CLIError("\(lost). " + saver.recovery(steps: trainer.nextStep, of: trainer.plan.totalSteps))
            }
            throw CLIError("\(lost). The training state at step \(trainer.nextStep) of \(trainer.plan.totalSteps) is saved in \(saver.path): start the workers again and run the same command with --resume \(saver.path)")
        }
        feed?.finish(interrupted ? "interrupted" : "finished")
        trainingDone()
        progress.finish()
        // The last epoch's evaluations are of these weights unless the run stopped mid-epoch.
        let test = (interrupted ? nil : run.lastTestEvaluation)
            ?? Evaluation(network: trainer.network, images: data.test, keepingProbabilities: true, between: keepAlive)
        let validation = (interrupted ? nil : run.lastValidationEvaluation)
            ?? data.validation.map { Evaluation(network: trainer.network, images: $0, keepingProbabilities: true, between: keepAlive) }
        var meta = metadata(test: test, interrupted: interrupted)
        if let validation, let calibrated = calibrate(validation: validation, test: test) {
            meta.merge(calibrated.metadata) { $1 }
            progress.result(calibrated.summary)
        }
        let model = TrainedModel(network: trainer.network, imageHeight: data.train.height, imageWidth: data.train.width,
                                 metadata: meta)
        // The state first: if the model cannot be written, the checkpoint still holds it.
        keeper?.save(checkpoint(trainer, history: run.history))
        keeper?.finish()
        do {
            try model.write(to: options.out)
        } catch {
            let reason = (error as? FileError)?.reason ?? "\(error)"
            let recovery = keeper?.recovery(steps: trainer.nextStep, of: trainer.plan.totalSteps)
                ?? "nothing of this run was saved (--checkpoint FILE keeps the training state)"
            throw CLIError("cannot write the model to \(options.out): \(reason); \(recovery)")
        }
        try TrainingReport(model: model, history: run.history, evaluation: test, test: data.test,
                           step: timeline.flatMap(StepTimeline.init)).write(to: options.reportPath)
        if interrupted {
            progress.result("interrupted at step \(trainer.nextStep) of \(trainer.plan.totalSteps): saved the model trained so far to \(options.out)")
        }
        progress.result(String(format: "test accuracy %.2f%% after %.1f s; model saved to %@, report to %@", 100 * test.accuracy, Clock.now() - start, options.out, options.reportPath))
        if interrupted { throw ExitCode(130) }
    }

    func checkpoint(_ trainer: Trainer, history: [EpochMetrics]) -> Checkpoint {
        let model = TrainedModel(network: trainer.network, imageHeight: data.train.height, imageWidth: data.train.width)
        return Checkpoint(model: model, optimizer: trainer.optimizer, settings: options.settings,
                          sampleCount: trainer.plan.sampleCount, nextStep: trainer.nextStep, history: history)
    }

    /// Temperature scaling fitted on the validation split's probabilities (`--validation`), and
    /// the test set's expected calibration error and log loss (mean −log p of the label) before
    /// and after; nil when either is empty. The log loss is what T minimises; the ECE, binned,
    /// moves by noise when the model is already calibrated.
    func calibrate(validation: Evaluation, test: Evaluation) -> (metadata: [String: String], summary: String)? {
        guard let images = data.validation, images.count > 0, data.test.count > 0 else { return nil }
        let classes = data.train.classes
        let calibration = Calibration.fit(validation.probabilities, classes: classes, labels: images.labels.map(Int.init))
        let labels = data.test.labels.map(Int.init)
        let before = Calibration.expectedCalibrationError(test.probabilities, classes: classes, labels: labels, temperature: 1)
        let after = Calibration.expectedCalibrationError(test.probabilities, classes: classes, labels: labels, temperature: calibration.temperature)
        let lossBefore = Calibration.negativeLogLikelihood(test.probabilities, classes: classes, labels: labels, temperature: 1)
        let lossAfter = Calibration.negativeLogLikelihood(test.probabilities, classes: classes, labels: labels, temperature: calibration.temperature)
        let metadata = [
            Calibration.temperatureKey: String(calibration.temperature),
            Calibration.unsureKey: String(calibration.unsureBelow),
            "test_ece_uncalibrated": String(format: "%.5f", before),
            "test_ece": String(format: "%.5f", after),
            "test_log_loss_uncalibrated": String(format: "%.5f", lossBefore),
            "test_log_loss": String(format: "%.5f", lossAfter),
        ]
        let summary = String(format: "calibrated on %d validation samples: temperature %.3f; on the test set, expected calibration error %.2f%% before, %.2f%% after, log loss %.4f before, %.4f after; below %.1f%% a reading is \"not sure\"",
                             images.count, calibration.temperature, 100 * before, 100 * after, lossBefore, lossAfter, 100 * calibration.unsureBelow)
        return (metadata, summary)
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
            "augment": s.augmentation.description,
            "training_samples": String(data.train.count),
            "workers": String(workers),
            "test_accuracy": String(format: "%.4f", test.accuracy),
            "steps_done": String(trainer.nextStep),
        ]
        if interrupted { meta["interrupted"] = "true" }
        return meta
    }
}
