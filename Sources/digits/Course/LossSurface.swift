import ArgumentParser
import Foundation
import NeuralNetwork
import Plots

extension Digits.Course {
    /// Exercise 2: the half mean squared error of a line, and the surface it lies on.
    struct LossSurface: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "loss",
            abstract: "The loss J(w, b) = 1/(2m) Σ (ŷ − y)² of a line on the table, and its surface over (w, b).",
            discussion: """
            Teaches how one number says how wrong a model is: the half mean squared error over \
            the table. The picture shows J for every (w, b) nearby, a long narrow valley whose \
            floor is the least-squares line, with your (w, b) marked. Without --w and --b it \
            scores the too-flat line of predict-life, ŷ = 0.3·x + 68 (J = 3.75); try --w 0.5 \
            --b 65 (J = 1.75). Nothing here is random, so --seed changes nothing.
            """)

        @OptionGroup var model: LineOptions

        @OptionGroup var options: CourseOptions

        func run() throws {
            let line = model.line, best = LifeTable.leastSquares
            let loss = LifeTable.loss(line), bestLoss = LifeTable.loss(best)
            let predicted = LifeTable.predictions(line, at: LifeTable.hours.map(Double.init))
            print(usage(model.settings, hint: "try --w 0.5 --b 65 and watch J fall"))
            print("Model: \(line.equation)")
            print("hours x   truth y   prediction ŷ   (ŷ − y)²")
            for ((x, y), yHat) in zip(zip(LifeTable.hours, LifeTable.years), predicted) {
                print(String(format: "%7.0f   %7.1f   %12.2f   %8.2f", x, y, yHat, (yHat - Double(y)) * (yHat - Double(y))))
            }
            print("J(w, b) = 1/(2m) Σ (ŷ − y)² = \(Axis.format(loss, significant: 6))  (m = \(LifeTable.hours.count))")
            print("The least-squares line \(best.equation) has the smallest J: \(fixed(bestLoss)).")
            try options.save(Figure(plots: [surfacePlot(line: line, loss: loss, best: best, bestLoss: bestLoss)]),
                             as: "loss")
        }

        /// J over a window of (w, b) around both the chosen line and the least-squares one.
        func surfacePlot(line: Line, loss: Double, best: Line, bestLoss: Double) -> Plot {
            let wRange = (min(line.w, best.w) - 0.6)...(max(line.w, best.w) + 0.6)
            let bRange = (min(line.b, best.b) - 15)...(max(line.b, best.b) + 15)
            let grid = Grid(x: wRange, y: bRange, columns: 101, rows: 101) { LifeTable.loss(Line(w: $0.x, b: $0.y)) }
            var plot = Plot(title: "Loss surface J(w, b) on the life-expectancy table",
                            x: Axis("w (years per monthly hour)", gridLines: false),
                            y: Axis("b (years)", gridLines: false), width: 720, height: 540, legend: .topRight)
            plot.heatMap(grid, colorMap: .viridis, scale: .logarithmic, levels: 16, label: "J(w, b)")
            let range = grid.finiteRange ?? 1...10
            let levels = (-3...8).flatMap { e in [1.0, 3].map { $0 * pow(10, Double(e)) } }
                .filter { range.contains($0) }
            plot.contours(grid, levels: levels, color: Color.white.mixed(with: .black, by: 0.25), width: 0.8)
            plot.scatter([Point(best.w, best.b)], label: "least squares, J = \(fixed(bestLoss, 3))",
                         color: Color(hex: 0xFFFFFF), shape: .diamond, radius: 6)
            plot.scatter([Point(line.w, line.b)], label: "(w, b) = (\(Axis.format(line.w, significant: 4)), \(Axis.format(line.b, significant: 5))), J = \(Axis.format(loss, significant: 4))",
                         color: Color(hex: 0xE8103A), shape: .cross, radius: 7)
            return plot
        }
    }
}
