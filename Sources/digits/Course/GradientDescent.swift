import ArgumentParser
import NeuralNetwork
import Plots

extension Digits.Course {
    /// Exercise 3: finding w and b by gradient descent, and why normalising the data helps.
    struct GradientDescent: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gradient-descent",
            abstract: "Fit w and b by gradient descent, w := w − α ∂J/∂w, and see what normalisation saves.",
            discussion: """
            Teaches gradient descent: start from w = b = 0 and step downhill on J. With x and y \
            normalised to [-1, 1] a large learning rate α is stable and a few dozen steps reach \
            the least-squares line; in raw units α must be tiny and thousands of steps are needed. \
            Defaults: α = 0.5 and 100 steps normalised, α = 0.004 and 10000 steps with --no-normalize. \
            Too large an α makes the loss diverge; the exercise then stops and says so. Nothing \
            here is random (w and b start at 0), so --seed changes nothing.
            """)

        @OptionGroup var descent: DescentOptions

        @Flag(inversion: .prefixedNo, help: "Normalise x and y to [-1, 1] before fitting.")
        var normalize = true

        @OptionGroup var options: CourseOptions

        func run() throws {
            let learningRate = descent.learningRate ?? (normalize ? 0.5 : 0.004)
            let steps = descent.steps ?? (normalize ? 100 : 10_000)
            let run = DescentRun(normalize: normalize, learningRate: Float(learningRate), steps: steps)
            let units = Setting(normalize ? "x and y normalised to [-1, 1]" : "raw units", isDefault: normalize)
            print("Gradient descent for ŷ = w·x + b on the life-expectancy table, from w = b = 0.")
            print(usage(descent.settings(learningRate: learningRate, steps: steps) + [units], hint: normalize
                ? "try --lr 1.5 for bigger steps, --lr 3 to see the loss diverge, or --no-normalize for raw units"
                : "try --lr 0.005 to see the loss diverge, or leave out --no-normalize to see what normalising saves"))
            printProgress(run)
            let race = run.outcome == .finished ? NormalisationRace() : nil
            try options.save(figure(run, race: race), as: "gradient-descent")
            if case .diverged(let step) = run.outcome {
                throw CourseError(divergence(run, step: step))
            }
            let best = LifeTable.leastSquares
            let line = run.lines[run.steps]
            print("Final: w = \(fixed(line.w, 6)), b = \(fixed(line.b, 6)) (raw units) after \(run.steps) steps.")
            print("Least squares: w = \(fixed(best.w, 6)), b = \(fixed(best.b, 6)); distance \(Axis.format(DescentRun.distance(line), significant: 2)).")
            if let reached = run.reachedAt {
                print("This run came within \(DescentRun.tolerance) of the least-squares w and b after \(reached) steps.")
            } else if run.stalled {
                print("""
                This run stalled short of \(DescentRun.tolerance) from least squares: each step α·∂J/∂b is now smaller \
                than half the spacing of Float32 numbers near b (\(Float(line.b).ulp)), so rounding undoes it. \
                Normalised parameters are small numbers, where Float32 is much finer.
                """)
            } else {
                print("This run did not come within \(DescentRun.tolerance) of the least-squares w and b; try more --steps or a larger --lr.")
            }
            race?.printSummary()
        }

        /// The loss and the line about ten times over the run, and after its last step.
        func printProgress(_ run: DescentRun) {
            print(padded("step", 6) + "  " + padded("J \(normalize ? "(normalised)" : "(years²)")", -14)
                  + padded("w", 12) + padded("b", 14))
            let every = max(1, run.steps / 10)
            for k in 0...run.steps where k % every == 0 || k == run.steps {
                let line = run.lines[k]
                print(padded("\(k)", 6) + "  " + padded(Axis.format(run.losses[k], significant: 6), -14)
                      + padded(parameter(line.w), 12) + padded(parameter(line.b), 14))
            }
        }

        /// Six decimals, or four significant digits once a diverging run makes it huge.
        func parameter(_ value: Double) -> String {
            abs(value) < 1e4 ? fixed(value, 6) : " " + Axis.format(value, significant: 4)
        }

        func divergence(_ run: DescentRun, step: Int) -> String {
            let start = max(0, run.losses.count - 1 - DescentRun.risingSteps)
            let last = run.losses[run.losses.count - 1]
            let growth = last.isFinite
                ? "J rose at every step from \(Axis.format(run.losses[start], significant: 3)) to \(Axis.format(last, significant: 3))"
                : "J became \(last.isNaN ? "NaN" : "infinite")"
            var message = "The loss diverges with learning rate α = \(run.learningRate): \(growth). Stopped after \(step) steps."
            if let best = DescentRun.bestLearningRate(normalize: normalize, tolerance: DescentRun.comparisonTolerance) {
                message += " α is too large for \(normalize ? "normalised data" : "raw units"); try --lr \(Axis.format(Double(best.learningRate), significant: 3)) or smaller."
            }
            return message
        }

        /// The loss curve, the fitted line and, with a race, the distance to least squares
        /// of this run and of both best-rate runs.
        func figure(_ run: DescentRun, race: NormalisationRace?) -> Figure {
            var curve = Plot(title: "Loss J after each step", x: Axis("step"),
                             y: Axis("J \(normalize ? "(normalised units)" : "(years²)")", scale: .logarithmic),
                             width: 520, height: 440)
            curve.line(run.losses.enumerated().map { Point(Double($0.offset), $0.element) }, label: "J",
                       color: .series(0))
            if let reached = run.reachedAt {
                curve.scatter([Point(Double(reached), run.losses[reached])],
                              label: "within \(DescentRun.tolerance) at step \(reached)", color: .series(1), radius: 6)
            }
            let line = run.lines[run.steps]
            let fit = LifeTable.plot(title: "Fitted line after \(run.steps) steps", width: 520, height: 440,
                                     yRange: 58...88) { plot in
                plot.line(LifeTable.linePoints(LifeTable.leastSquares), label: "least squares", color: .series(6),
                          width: 4)
                plot.line(LifeTable.linePoints(line), label: line.equation, color: .series(1), dashed: true)
            }
            let units = normalize ? "normalised" : "raw units"
            let plots = [curve, fit] + (race.map { [$0.plot(with: run)] } ?? [])
            return Figure(title: "Gradient descent, α = \(run.learningRate), \(units)", plots: plots)
        }
    }
}
