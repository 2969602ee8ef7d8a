import ArgumentParser
import NeuralNetwork
import Plots

extension Digits.Course {
    /// Exercise 5: polynomial features, curved boundaries from a linear model, and over-fitting.
    struct Polynomial: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Polynomial features: a curved boundary around a ring, or (--regression) over-fitting a curve.",
            discussion: """
            Teaches that a linear model on new features x₁², x₁x₂, x₂², … draws curves in the old \
            ones. The data: class 1 uniform in the disc r < 0.5, class 0 uniform in the ring \
            0.65 ≤ r ≤ 1, 60 points each, drawn from --seed. No straight line separates them; \
            with the degree-2 features logistic regression finds a closed curve that does \
            (defaults: α = 1, 1000 steps). \
            With --regression, the course's homework: fit polynomials of degree 1 to --degree to \
            the four points of the life-expectancy table and watch them bend to every point \
            (degree 3 passes through all four) and swing wildly between and beyond them; that \
            exercise draws nothing at random, and its defaults are 3000 steps with α chosen per \
            degree to be stable.
            """)

        @Flag(help: "Polynomial regression on the life-expectancy table instead of classification.")
        var regression = false

        @Option(help: "Degree of the features (default 2), or with --regression the highest degree fitted (default 3).")
        var degree: Int?

        @OptionGroup var descent: DescentOptions

        @OptionGroup var options: CourseOptions

        func validate() throws {
            let maximum = regression ? 10 : 6
            if let degree, !(1...maximum).contains(degree) {
                throw ValidationError("--degree must be between 1 and \(maximum), got \(degree)")
            }
        }

        func run() throws {
            if regression {
                try runRegression(maximumDegree: degree ?? 3, steps: descent.steps ?? 3000)
            } else {
                try runClassification(degree: degree ?? 2, steps: descent.steps ?? 1000)
            }
        }

        func runClassification(degree: Int, steps: Int) throws {
            let data = TwoClassData.ring(seed: options.seed)
            let features = PolynomialFeatures(inputs: 2, degree: degree)
            let learningRate = descent.learningRate ?? 1
            let rate = Float(learningRate)
            let plain = Classifier.logistic(data, learningRate: rate, steps: steps)
            let curved = Classifier.logistic(data, features: features, learningRate: rate, steps: steps)
            print("Logistic regression on a \(data.name) (\(data.labels.count) points), with the plain and the polynomial features.")
            let settings = [Setting("degree \(degree)", isDefault: self.degree == nil)]
                + descent.settings(learningRate: learningRate, steps: steps) + [options.seedSetting]
            print(usage(settings, hint: "try --degree 4 for more features, or --regression for the homework: over-fitting a curve"))
            print(padded("features", -44) + padded("accuracy", 9) + padded("loss", 9))
            for (names, model) in [(["x1", "x2"], plain), (features.names, curved)] {
                print(padded(names.joined(separator: ", "), -44) + padded(percent(model.accuracy(on: data)), 9)
                      + padded(fixed(model.loss(on: data)), 9))
            }
            let p = curved.network.parameters
            print("Curved boundary (ŷ = 0.5): \(linearExpression(Array(p.dropLast()), names: features.names, bias: p.last!, decimals: 2)) = 0")
            let figure = Figure(plots: [
                plain.plot(data, title: "Features x₁, x₂: a straight line fails", width: 600, legend: .hidden),
                curved.plot(data, title: "Degree-\(degree) features: a curved boundary", legend: .outside),
            ])
            try options.save(figure, as: "polynomial")
        }

        func runRegression(maximumDegree: Int, steps: Int) throws {
            let curves = (1...maximumDegree).map {
                PolynomialCurve(degree: $0, steps: steps, learningRate: descent.learningRate.map(Float.init))
            }
            let probes: [Double] = [6, 28, 42]
            print("Polynomial regression on the life-expectancy table (4 points) by gradient descent.")
            let settings = [Setting("degrees 1 to \(maximumDegree)", isDefault: degree == nil),
                            descent.learningRate.map(descent.rateSetting) ?? Setting("a stable α per degree", isDefault: true),
                            Setting("\(steps) steps each", isDefault: descent.steps == nil)]
            print(usage(settings, hint: "try --degree 6: more curves through the same four points, and how they disagree beyond them"))
            print("ŷ at 6 and 28 hours lies between the table's points, at 42 beyond them.")
            print(padded("degree", 6) + padded("α", 8) + padded("J (years²)", 12)
                  + probes.map { padded("ŷ(\(Int($0)) h)", 10) }.joined())
            for curve in curves {
                print(padded("\(curve.degree)", 6) + padded(fixed(Double(curve.learningRate), 3), 8)
                      + padded(fixed(curve.loss), 12)
                      + curve.predictions(at: probes).map { padded(fixed($0, 1), 10) }.joined())
            }
            print("""
            Each degree fits the table better (J falls to 0 at degree 3, which passes through all four \
            points), but the curve says less and less about anyone else: that is over-fitting.
            """)
            let plot = LifeTable.plot(title: "Polynomials of degree 1 to \(maximumDegree) through 4 points",
                                      width: 800, height: 520, yRange: 55...95, legend: .outside) { plot in
                for curve in curves {
                    plot.line(curve.points(over: -4...44), label: "degree \(curve.degree), J = \(fixed(curve.loss, 2))",
                              color: .series(curve.degree), width: 2)
                }
            }
            try options.save(Figure(plots: [plot]), as: "polynomial-regression")
        }
    }
}
