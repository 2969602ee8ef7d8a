import Foundation
import NeuralNetwork

/// One run of gradient descent for ŷ = w·x + b on the life-expectancy table, from w = b = 0,
/// in normalised or raw units, watched step by step.
///
/// Each step is one call of the library's `Network.fit` with plain SGD (which keeps no state
/// between steps, so one-step calls are exactly one long call) so that the run can stop as
/// soon as it reaches the least-squares line or the loss diverges.
struct DescentRun {
    enum Outcome: Equatable {
        case finished
        /// The loss became non-finite, or rose `DescentRun.risingSteps` steps in a row, after `step` steps.
        case diverged(step: Int)
    }

    let normalize: Bool
    let learningRate: Float
    /// How close to the least-squares w and b (in raw units) counts as there.
    let tolerance: Double
    /// J after 0, 1, 2, … steps, in the units the model is fitted in.
    private(set) var losses: [Double] = []
    /// The line after 0, 1, 2, … steps, in raw units; as many as `losses`.
    private(set) var lines: [Line] = []
    /// The first step count after which w and b are both within `tolerance` of least squares.
    private(set) var reachedAt: Int?
    private(set) var outcome = Outcome.finished

    /// The exercise's target: w and b within this of least squares.
    static let tolerance = 1e-3
    /// The looser target for comparing normalised and raw runs, which raw Float32 runs reach.
    static let comparisonTolerance = 1e-2
    /// For a learning rate below 2/λmax, gradient descent on this convex quadratic lowers
    /// the loss at every step; a loss that rises this many steps in a row is diverging.
    static let risingSteps = 8

    /// Runs up to `steps` steps, stopping early at divergence, and, with `stopWhenReached`,
    /// when the line is within `tolerance` of least squares.
    init(normalize: Bool, learningRate: Float, steps: Int, tolerance: Double = DescentRun.tolerance,
         stopWhenReached: Bool = false) {
        self.normalize = normalize
        self.learningRate = learningRate
        self.tolerance = tolerance
        let xNormalizer = Normalizer(fitting: LifeTable.x), yNormalizer = Normalizer(fitting: LifeTable.y)
        let x = normalize ? xNormalizer.normalize(LifeTable.x) : LifeTable.x
        let y = normalize ? yNormalizer.normalize(LifeTable.y) : LifeTable.y
        var network = Network(architecture: .linearRegression(), parameters: [0, 0])
        let sgd = OptimizerConfiguration(kind: .sgd, learningRate: learningRate)
        func rawLine() -> Line {
            let (w, b) = (network.parameters[0], network.parameters[1])
            return normalize ? Line(normalizedW: w, b: b, x: xNormalizer, y: yNormalizer) : Line(w: Double(w), b: Double(b))
        }
        lines.append(rawLine())
        var rising = 0
        for step in 1...steps {
            // `fit` returns J before its update, that is after step − 1 steps.
            let loss = network.fit(x: x, y: y, optimizer: sgd, steps: 1)
            rising = losses.last.map { loss > $0 * (1 + 1e-6) } == true ? rising + 1 : 0
            losses.append(loss)
            if !loss.isFinite || rising >= DescentRun.risingSteps {
                outcome = .diverged(step: step - 1)
                return
            }
            lines.append(rawLine())
            if reachedAt == nil && isNearLeastSquares(lines[step]) {
                reachedAt = step
                if stopWhenReached { break }
            }
        }
        losses.append(network.meanLoss(x: x, y: y))
    }

    /// Steps taken.
    var steps: Int { lines.count - 1 }

    func isNearLeastSquares(_ line: Line) -> Bool { DescentRun.distance(line) <= tolerance }

    /// How far a line is from least squares: max(|w − w*|, |b − b*|), in raw units.
    static func distance(_ line: Line) -> Double {
        let best = LifeTable.leastSquares
        return max(abs(line.w - best.w), abs(line.b - best.b))
    }

    /// The learning rate on the grid α = 2^(k/4) that comes within `tolerance` of least
    /// squares in the fewest steps (at most `cap`), with that count, or nil if none does.
    ///
    /// Searched downwards from α = 4: rates that diverge are skipped; below the stability
    /// limit, smaller rates only take longer on this problem (its slow direction is the
    /// one that limits), so the search stops once the count grows again.
    static func bestLearningRate(normalize: Bool, tolerance: Double,
                                 cap: Int = 40_000) -> (learningRate: Float, steps: Int)? {
        var best: (learningRate: Float, steps: Int)?
        var tooSlow = 0
        for k in stride(from: 8, through: -60, by: -1) {
            let rate = Float(pow(2, Double(k) / 4))
            let run = DescentRun(normalize: normalize, learningRate: rate, steps: cap, tolerance: tolerance,
                                 stopWhenReached: true)
            if run.outcome != .finished { continue }
            guard let steps = run.reachedAt else {
                // Stable but short of the target: just below the limit, or simply too slow.
                tooSlow += 1
                if best != nil || tooSlow == 2 { break }
                continue
            }
            if let current = best, steps >= current.steps { break }
            best = (rate, steps)
        }
        return best
    }
}

extension DescentRun {
    /// Whether the last tenth of the run (at least 10 steps) left w and b exactly as they
    /// were: Float32 rounding then swallows every update.
    var stalled: Bool {
        let window = max(10, steps / 10)
        return outcome == .finished && steps > window && lines[steps] == lines[steps - window]
    }
}
