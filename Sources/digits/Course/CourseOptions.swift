import ArgumentParser
import Foundation
import NeuralNetwork
import Plots

/// The options every exercise takes: the seed of its random numbers and where its picture goes.
struct CourseOptions: ParsableArguments {
    static let defaultSeed: UInt64 = 1

    @Option(help: "Seed of the random numbers (data sets, initial weights); the same seed gives the same run.")
    var seed = CourseOptions.defaultSeed

    @Option(help: ArgumentHelp("Directory for the SVG pictures; made if missing.", valueName: "dir"))
    var out = "course-out"

    func validate() throws {
        guard !out.isEmpty else { throw ValidationError("--out needs a directory, such as --out course-out") }
    }

    /// "seed 1", for the exercises that draw random numbers.
    var seedSetting: Setting { Setting("seed \(seed)", isDefault: seed == CourseOptions.defaultSeed) }

    /// Writes `figure` to `<out>/<name>.svg` and prints where it went.
    func save(_ figure: Figure, as name: String) throws {
        let url = URL(fileURLWithPath: out).appendingPathComponent("\(name).svg")
        do {
            try figure.write(to: url)
        } catch {
            throw CourseError("Cannot write the picture \(url.path): \(error.localizedDescription). Choose another --out directory.")
        }
        print("Picture: \(out.hasSuffix("/") ? out : out + "/")\(name).svg")
    }
}

/// A failure an exercise reports to the user (the tool prints it and exits non-zero).
struct CourseError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }
}

/// The line ŷ = w·x + b that the first exercises take from the command line. Negative
/// values may follow the option directly: `--b -10`.
struct LineOptions: ParsableArguments {
    /// A deliberately poor line, too flat: off by up to 4 years, J = 3.75 against the least
    /// squares' 1.41, so that a bare run has errors to see and something left to improve.
    static let defaults = Line(w: 0.3, b: 68)

    @Option(parsing: .unconditional, help: "The slope w: years gained per monthly hour of exercise.")
    var w = LineOptions.defaults.w

    @Option(parsing: .unconditional, help: "The intercept b: the prediction for someone who does no exercise.")
    var b = LineOptions.defaults.b

    func validate() throws {
        for (value, option) in [(w, "--w"), (b, "--b")] where !value.isFinite {
            throw ValidationError("\(option) must be a finite number, got \(value)")
        }
    }

    var line: Line { Line(w: w, b: b) }

    var settings: [Setting] { [Setting("w", w, default: LineOptions.defaults.w), Setting("b", b, default: LineOptions.defaults.b)] }

    /// The options that give this line again, for the next exercise: "--w 0.3 --b 68" (with
    /// an ASCII minus, which the shell passes and the parser reads, unlike the printed "−").
    var arguments: String { String(format: "--w %.6g --b %.6g", w, b) }
}

/// The gradient-descent settings of the exercises that train. Each exercise has its own
/// defaults, given in its description and used for an option that is left out.
struct DescentOptions: ParsableArguments {
    @Option(name: .customLong("lr"), help: "Learning rate α (default: see the description above).")
    var learningRate: Double?

    @Option(help: "Gradient-descent steps (default: see the description above).")
    var steps: Int?

    static let maximumSteps = 1_000_000

    func validate() throws {
        if let learningRate, !(learningRate.isFinite && learningRate > 0) {
            throw ValidationError("--lr must be a positive learning rate, such as --lr 0.5; got \(learningRate)")
        }
        if let steps, !(1...DescentOptions.maximumSteps).contains(steps) {
            throw ValidationError("--steps must be between 1 and \(DescentOptions.maximumSteps), got \(steps)")
        }
    }

    /// "α = 1", the default when --lr was left out.
    func rateSetting(_ learningRate: Double) -> Setting {
        Setting("α = \(Axis.format(learningRate, significant: 6))", isDefault: self.learningRate == nil)
    }

    /// "α = 1" and "300 steps", each the default when its option was left out.
    func settings(learningRate: Double, steps: Int) -> [Setting] {
        [rateSetting(learningRate), Setting("\(steps) steps", isDefault: self.steps == nil)]
    }
}

/// Numbers as the exercises print them.
func fixed(_ value: Double, _ decimals: Int = 4) -> String {
    String(format: "%.\(decimals)f", value)
}

/// A percentage with one decimal: 0.975 → "97.5%".
func percent(_ fraction: Double) -> String {
    String(format: "%.1f%%", 100 * fraction)
}

/// `text` padded with spaces to `width` characters: on the left (right-aligned) for a
/// positive width, on the right for a negative one.
func padded(_ text: String, _ width: Int) -> String {
    let fill = String(repeating: " ", count: max(0, abs(width) - text.count))
    return width >= 0 ? fill + text : text + fill
}

/// "7.4947·x₁ + 4.1053·x₂ − 0.4739": terms with their signs written out, the bias last.
func linearExpression(_ coefficients: [Float], names: [String], bias: Float, decimals: Int = 4) -> String {
    var text = ""
    for (value, name) in zip(coefficients.map(Double.init) + [Double(bias)], names + [""]) {
        let sign = value < 0 ? "−" : "+"
        let term = fixed(abs(value), decimals) + (name.isEmpty ? "" : "·" + name)
        text += text.isEmpty ? (value < 0 ? "−" : "") + term : " \(sign) " + term
    }
    return text
}
