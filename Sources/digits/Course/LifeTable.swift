import NeuralNetwork
import Plots

/// The course's table, monthly hours of exercise x → life expectancy y, with the pieces the
/// regression exercises share.
enum LifeTable {
    static let hours = CourseData.lifeExpectancy.hours
    static let years = CourseData.lifeExpectancy.years

    /// x as `[4, 1]`.
    static var x: Matrix { Matrix(rows: hours.count, columns: 1, values: hours) }
    /// y as `[4, 1]`.
    static var y: Matrix { Matrix(rows: years.count, columns: 1, values: years) }

    static var points: [Point] { zip(hours, years).map { Point(Double($0), Double($1)) } }

    /// The model ŷ = w·x + b as the library's linear regression: one identity unit, whose
    /// flat parameters are [w, b].
    static func network(_ line: Line) -> Network {
        Network(architecture: .linearRegression(), parameters: [Float(line.w), Float(line.b)])
    }

    /// J(w, b) = 1/(2m) Σ (ŷ − y)², computed by the library.
    static func loss(_ line: Line) -> Double {
        network(line).meanLoss(x: x, y: y)
    }

    /// The least-squares line, the answer gradient descent should reach: the closed form
    /// w = Σ(x − x̄)(y − ȳ) / Σ(x − x̄)², b = ȳ − w·x̄ (≈ 0.450292, 66.345029), in Double.
    static let leastSquares: Line = {
        let xs = hours.map(Double.init), ys = years.map(Double.init)
        let meanX = xs.reduce(0, +) / Double(xs.count), meanY = ys.reduce(0, +) / Double(ys.count)
        let covariance = zip(xs, ys).reduce(0) { $0 + ($1.0 - meanX) * ($1.1 - meanY) }
        let variance = xs.reduce(0) { $0 + ($1 - meanX) * ($1 - meanX) }
        let w = covariance / variance
        return Line(w: w, b: meanY - w * meanX)
    }()

    static let xAxis = Axis("monthly hours of exercise")
    static let yAxis = Axis("life expectancy (years)")

    /// A plot of the table's points over what `draw` adds (lines, curves), so points stay on top.
    static func plot(title: String, width: Double = 640, height: Double = 460, yRange: ClosedRange<Double>? = nil,
                     legend: LegendPosition = .bottomRight, draw: (inout Plot) -> Void) -> Plot {
        var y = yAxis
        y.range = yRange
        var plot = Plot(title: title, x: xAxis, y: y, width: width, height: height, legend: legend)
        draw(&plot)
        plot.scatter(points, label: "table (x, y)", color: .series(0), radius: 6)
        return plot
    }

    /// The model's predictions ŷ at `hours`, computed by the library's forward pass.
    static func predictions(_ line: Line, at hours: [Double]) -> [Double] {
        let input = Matrix(rows: hours.count, columns: 1, values: hours.map { Float($0) })
        return network(line).predict(input).values.map(Double.init)
    }

    /// The line over the hours shown, `from`…`to`.
    static func linePoints(_ line: Line, from: Double = -2, to: Double = 38) -> [Point] {
        zip([from, to], predictions(line, at: [from, to])).map { Point($0, $1) }
    }
}

extension Line {
    /// "ŷ = 0.4503·x + 66.3450", with the sign of b written out.
    var equation: String {
        "ŷ = \(fixed(w))·x \(b < 0 ? "−" : "+") \(fixed(abs(b)))"
    }
}
