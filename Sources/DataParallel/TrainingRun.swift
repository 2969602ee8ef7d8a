import Datasets
import NeuralNetwork

/// Where a run is, for progress views.
public struct RunProgress: Sendable {
    public var globalStep: Int
    public var totalSteps: Int
    public var epoch: Int
    public var epochs: Int
    /// Mean loss and accuracy over the epoch's steps so far.
    public var epochStatistics: BatchStatistics
    public var samplesPerSecond: Double
    public var secondsLeft: Double
    public var compute: Double
    public var communication: Double
    public var wait: Double
    /// The last step: its seconds, and each worker's part in it (none in one process).
    public var stepSeconds: Double
    public var workers: [WorkerStep]
}

/// Runs a `Trainer` to the end of its plan: evaluates after every epoch (and, with
/// `evaluateEvery`, after every that many steps), writes metrics, reports progress, and stops
/// early (with the model trained so far) when asked. Evaluations are not training time: the
/// epochs' `seconds` leave them out.
public final class TrainingRun {
    public let trainer: Trainer
    public let data: TrainingData
    public let workers: Int
    public var metricsWriter: MetricsWriter?
    public var onStep: ((RunProgress) -> Void)?
    public var onEpoch: ((EpochMetrics) -> Void)?
    /// With a value K, the test set is also evaluated after global steps K, 2K, … (counted
    /// from the plan's start), and `onEvaluation` gets each result. Training is unchanged.
    public var evaluateEvery: Int?
    public var onEvaluation: ((StepEvaluation) -> Void)?
    /// Polled between steps; true stops the run after the current step.
    public var shouldStop: () -> Bool = { false }
    /// Called after every step with the trainer, e.g. to write checkpoints.
    public var afterStep: ((Trainer) throws -> Void)?
    /// Called now and then during work between steps (evaluation), e.g. to send heartbeats.
    public var keepAlive: () -> Void = {}
    /// Finished epochs, including those of a run this one resumes.
    public var history: [EpochMetrics] = []
    /// The last epoch's test and validation evaluations, with their probabilities (for calibration).
    public private(set) var lastTestEvaluation: Evaluation?
    public private(set) var lastValidationEvaluation: Evaluation?
    /// Gets a span for every step and evaluation, and is flushed after every epoch.
    public var timeline: Timeline?

    public init(trainer: Trainer, data: TrainingData, workers: Int) {
        self.trainer = trainer
        self.data = data
        self.workers = workers
    }

    /// Trains until the plan ends or `shouldStop` says so; returns whether it was interrupted.
    @discardableResult
    public func run() throws -> Bool {
        let plan = trainer.plan
        var epochStatistics = BatchStatistics()
        var epochStart = Clock.now()
        var paused = 0.0          // seconds of this epoch spent evaluating between its steps
        var trainedBefore = 0.0   // training seconds of this run's finished epochs
        var times = (compute: 0.0, communication: 0.0, wait: 0.0)
        var lastProgress = 0.0
        let runStart = Clock.now()
        let firstStep = trainer.nextStep
        var tally = WorkerEpochTally()
        while !trainer.isFinished {
            if shouldStop() { return true }
            let stepStart = Clock.now()
            let report = try trainer.step()
            let stepEnd = Clock.now()
            timeline?.span(Timeline.stepName(epoch: report.position.epoch, step: report.position.step), category: "step",
                           track: Timeline.coordinatorTrack, from: stepStart, to: stepEnd,
                           args: ["samples": String(report.statistics.count)])
            try afterStep?(trainer)
            epochStatistics = epochStatistics + report.statistics
            tally.add(report.workers)
            times.compute += report.computeSeconds
            times.communication += report.communicationSeconds
            times.wait += report.waitSeconds
            let now = Clock.now()
            let endOfEpoch = trainer.nextStep % plan.stepsPerEpoch == 0
            if let onStep, endOfEpoch || now - lastProgress > 0.1 {
                lastProgress = now
                let done = trainer.nextStep - firstStep
                let rate = Double(done) / max(now - runStart, 1e-9)
                let epochSeconds = max(now - epochStart - paused, 1e-9)
                onStep(RunProgress(globalStep: trainer.nextStep, totalSteps: plan.totalSteps,
                                   epoch: report.position.epoch + 1, epochs: plan.settings.epochs,
                                   epochStatistics: epochStatistics,
                                   samplesPerSecond: Double(epochStatistics.count) / epochSeconds,
                                   secondsLeft: Double(plan.totalSteps - trainer.nextStep) / max(rate, 1e-9),
                                   compute: times.compute, communication: times.communication, wait: times.wait,
                                   stepSeconds: stepEnd - stepStart, workers: report.workers))
            }
            let onGrid = evaluateEvery.map { trainer.nextStep % $0 == 0 } ?? false
            guard endOfEpoch || onGrid else { continue }
            let pauseStart = Clock.now()
            let seconds = pauseStart - epochStart - paused
            let test = Evaluation(network: trainer.network, images: data.test, keepingProbabilities: endOfEpoch, between: keepAlive)
            timeline?.span("evaluate", category: "evaluation", track: Timeline.coordinatorTrack, from: pauseStart, to: Clock.now())
            if onGrid {
                let t = report.position.step + 1
                let samples = report.position.epoch * plan.sampleCount
                    + plan.shards.reduce(0) { $0 + min($1.count, t * plan.microBatch) }
                onEvaluation?(StepEvaluation(step: trainer.nextStep, epoch: report.position.epoch + 1, samples: samples,
                                             trainingSeconds: trainedBefore + seconds,
                                             testAccuracy: test.accuracy, testLoss: test.meanLoss))
            }
            guard endOfEpoch else {
                paused += Clock.now() - pauseStart
                continue
            }
            lastTestEvaluation = test
            lastValidationEvaluation = data.validation.map { Evaluation(network: trainer.network, images: $0, keepingProbabilities: true, between: keepAlive) }
            let validation = lastValidationEvaluation?.accuracy
            var metrics = EpochMetrics(epoch: report.position.epoch + 1, steps: plan.stepsPerEpoch,
                                       trainLoss: epochStatistics.meanLoss, trainAccuracy: epochStatistics.accuracy,
                                       testLoss: test.meanLoss, testAccuracy: test.accuracy,
                                       validationAccuracy: validation, seconds: seconds,
                                       samplesPerSecond: Double(epochStatistics.count) / max(seconds, 1e-9),
                                       computeSeconds: times.compute, communicationSeconds: times.communication,
                                       waitSeconds: times.wait, workers: workers)
            let perWorker = tally.finish()
            metrics.perWorker = perWorker.isEmpty ? nil : perWorker
            history.append(metrics)
            timeline?.flush()
            metricsWriter?.write(metrics)
            onEpoch?(metrics)
            epochStatistics = BatchStatistics()
            times = (0, 0, 0)
            trainedBefore += seconds
            paused = 0
            epochStart = Clock.now()
        }
        return false
    }
}
