import ArgumentParser
import NeuralNetwork
import Plots

extension Digits.Course {
    /// Exercise 1: a line as a model, ŷ = w·x + b, checked row by row against the table.
    struct PredictLife: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "predict-life",
            abstract: "Predict life expectancy from hours of exercise with the line ŷ = w·x + b.",
            discussion: """
            Teaches what a model is: two numbers, w and b, turn an input into a prediction. \
            Choose them by hand, compare each prediction with the truth in the course's table, \
            and see the line among the points. Without --w and --b the line is ŷ = 0.3·x + 68, \
            deliberately too flat so that its errors show; try --w 0.5 --b 65 (negative values \
            work too: --b -10), then `digits course loss` for the best line, least squares. \
            Nothing here is random, so --seed changes nothing.
            """)

        @OptionGroup var model: LineOptions

        @OptionGroup var options: CourseOptions

        func run() throws {
            let line = model.line
            let predicted = LifeTable.predictions(line, at: LifeTable.hours.map(Double.init))
            print(usage(model.settings, hint: "try --w 0.5 --b 65 to move the line"))
            print("Model: \(line.equation)")
            print("hours x   truth y   prediction ŷ   error ŷ − y")
            for ((x, y), yHat) in zip(zip(LifeTable.hours, LifeTable.years), predicted) {
                print(String(format: "%7.0f   %7.1f   %12.2f   %+11.2f", x, y, yHat, yHat - Double(y)))
            }
            let errors = zip(LifeTable.points, predicted).flatMap { point, yHat in
                [point, Point(point.x, yHat), Point(.nan, .nan)]
            }
            let plot = LifeTable.plot(title: "Life expectancy: the model \(line.equation)") { plot in
                plot.line(errors, label: "errors ŷ − y", color: .series(6), width: 1.5, dashed: true)
                plot.line(LifeTable.linePoints(line), label: line.equation, color: .series(1))
            }
            try options.save(Figure(plots: [plot]), as: "predict-life")
            print("Next, `digits course loss \(model.arguments)` scores this line with one number and finds the best one.")
        }
    }
}
