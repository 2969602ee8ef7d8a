import DataParallel
import NeuralNetwork

/// Writes a run's checkpoints to one path. A checkpoint that cannot be written (a full disk,
/// a file-size limit, a vanished directory) is a warning, not the end of the run: training
/// goes on, the next checkpoint is tried, and the model is still written at the end. What
/// reached the disk last is remembered, for the error if the model itself cannot be written.
final class CheckpointKeeper {
    let path: String
    private let warn: (String) -> Void
    /// The position (next step) of the last checkpoint written, if any was.
    private(set) var lastGood: Int?
    /// Failed writes since the last good one.
    private var failures = 0

    init(path: String, warn: @escaping (String) -> Void) {
        self.path = path
        self.warn = warn
    }

    /// Writes `checkpoint`; warns at the first failure of a run of them and when writing works again.
    func save(_ checkpoint: Checkpoint) {
        do {
            try checkpoint.write(to: path)
            if failures > 0 { warn("note: the checkpoint \(path) was written again at step \(checkpoint.nextStep)") }
            failures = 0
            lastGood = checkpoint.nextStep
        } catch {
            failures += 1
            if failures == 1 {
                warn("warning: cannot write the checkpoint \(path) at step \(checkpoint.nextStep): \(error); "
                     + "training goes on and the next checkpoint will be tried")
            }
        }
    }

    /// At the end of the run: says how many checkpoint writes failed since the last good one.
    func finish() {
        guard failures > 0 else { return }
        warn("warning: the last \(failures) checkpoint write(s) to \(path) failed; " + (lastGood.map { "the last good checkpoint holds step \($0)" } ?? "none was written"))
    }

    /// Where the training state is, for an error when the model cannot be written after `steps` steps of `total`.
    func recovery(steps: Int, of total: Int) -> String {
        guard let lastGood else { return "no checkpoint could be written to \(path) either" }
        if lastGood == steps {
            return "the trained state is in the checkpoint \(path) (step \(steps) of \(total)): run the same command with --resume \(path) and a writable --out to write the model"
        }
        return "the last good checkpoint is \(path), at step \(lastGood) of \(total): the same command with --resume \(path) continues from there"
    }
}
