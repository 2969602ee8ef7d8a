import NeuralNetwork
import Plots

/// What normalisation saves, measured: gradient descent with and without normalised data,
/// each at its own best learning rate, in steps to come within `tolerance` of least squares.
///
/// One α for both would not be a fair race: in raw units ∂J/∂w is hundreds of times ∂J/∂b
/// (x runs to 36 hours), so α must be tiny for w to stay stable and b then crawls. The
/// target is 0.01 rather than the exercise's 0.001 because raw Float32 runs stall about
/// 0.0025 away (their steps for b fall below the spacing of Float32 numbers near 66).
struct NormalisationRace {
    let tolerance = DescentRun.comparisonTolerance
    let normalised: (learningRate: Float, steps: Int)
    let raw: (learningRate: Float, steps: Int)

    /// Nil if either side never reaches the target (it always does on the course's table).
    init?() {
        guard let normalised = DescentRun.bestLearningRate(normalize: true, tolerance: tolerance),
              let raw = DescentRun.bestLearningRate(normalize: false, tolerance: tolerance) else { return nil }
        self.normalised = normalised
        self.raw = raw
    }

    func printSummary() {
        print("""

        What normalisation saves: steps to come within \(tolerance) of the least-squares w and b, each at \
        its best learning rate α = 2^(k/4). One α for both is not a fair race: in raw units ∂J/∂w is \
        hundreds of times ∂J/∂b, so α must be tiny and b crawls. (Not \(DescentRun.tolerance): raw Float32 \
        runs stall about 0.0025 away.)
        """)
        for (name, side) in [("normalised:", normalised), ("raw units:", raw)] {
            print("  " + padded(name, -13) + "α = " + padded(Axis.format(Double(side.learningRate), significant: 3), -9)
                  + padded("\(side.steps)", 6) + " steps")
        }
        print("Normalisation saves \(raw.steps - normalised.steps) steps (\(raw.steps / max(normalised.steps, 1)) times fewer).")
    }

    /// max(|w − w*|, |b − b*|) after each step, on log–log axes, for `run` and both sides of
    /// the race (each run on a little past its target, to show where it levels off).
    func plot(with run: DescentRun) -> Plot {
        var plot = Plot(title: "Distance to least squares", x: Axis("step", scale: .logarithmic),
                        y: Axis("max(|w − w*|, |b − b*|)", scale: .logarithmic), width: 560, height: 440,
                        legend: .bottomRight)
        func distances(_ run: DescentRun) -> [Point] {
            run.lines.enumerated().dropFirst().map { Point(Double($0.offset), DescentRun.distance($0.element)) }
        }
        plot.line([Point(1, tolerance), Point(Double(raw.steps) * 2, tolerance)], label: "target \(tolerance)",
                  color: .series(6), width: 1.5, dashed: true)
        let sides = [(normalised, true, "normalised", 4), (raw, false, "raw units", 2)]
        for (side, normalize, name, color) in sides {
            let best = DescentRun(normalize: normalize, learningRate: side.learningRate,
                                  steps: normalize ? max(50, side.steps * 8) : side.steps * 3 / 2)
            plot.line(distances(best), label: "\(name), α = \(Axis.format(Double(side.learningRate), significant: 3))",
                      color: .series(color))
        }
        plot.line(distances(run), label: "this run, α = \(Axis.format(Double(run.learningRate), significant: 3))",
                  color: .series(0), dashed: true)
        return plot
    }
}
