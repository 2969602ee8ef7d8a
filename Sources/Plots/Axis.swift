import Foundation

/// How data values map to distance along an axis.
public enum Scale: Equatable, Sendable {
    case linear
    /// Equal ratios take equal distances; values ≤ 0 cannot be drawn and are left out.
    case logarithmic

    /// The value in the axis's linear space (log₁₀ for a logarithmic axis), or nil when the
    /// value cannot be placed on this axis.
    func transform(_ value: Double) -> Double? {
        switch self {
        case .linear: return value.isFinite ? value : nil
        case .logarithmic: return value.isFinite && value > 0 ? log10(value) : nil
        }
    }

    func inverse(_ t: Double) -> Double { self == .linear ? t : pow(10, t) }
}

/// A labelled tick mark.
public struct Tick: Equatable, Sendable {
    public var value: Double
    public var label: String

    public init(_ value: Double, _ label: String) {
        self.value = value
        self.label = label
    }
}

/// One axis of a plot: its title, scale, range and ticks.
public struct Axis: Equatable, Sendable {
    /// The axis title, e.g. "monthly hours of exercise".
    public var label: String
    public var scale: Scale
    /// The visible range; nil fits the data (with a small margin, except around grids).
    public var range: ClosedRange<Double>?
    /// Ticks to draw instead of the automatic ones, e.g. class names for a confusion matrix.
    public var ticks: [Tick]?
    /// Whether values grow downwards (y) or leftwards (x), e.g. a matrix's rows from the top.
    public var reversed: Bool
    /// Whether faint lines run across the plot at each tick.
    public var gridLines: Bool

    public init(_ label: String, scale: Scale = .linear, range: ClosedRange<Double>? = nil,
                ticks: [Tick]? = nil, reversed: Bool = false, gridLines: Bool = true) {
        self.label = label
        self.scale = scale
        self.range = range
        self.ticks = ticks
        self.reversed = reversed
        self.gridLines = gridLines
    }

    /// Automatic ticks over `range` for this axis's scale: about `target` of them, at 1, 2,
    /// 2.5 or 5 times a power of ten (linear) or at powers of ten (logarithmic).
    public func automaticTicks(over range: ClosedRange<Double>, target: Int = 6) -> [Tick] {
        switch scale {
        case .linear: return Axis.linearTicks(over: range, target: target)
        case .logarithmic: return Axis.logarithmicTicks(over: range)
        }
    }

    static func linearTicks(over range: ClosedRange<Double>, target: Int) -> [Tick] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [Tick(range.lowerBound, format(range.lowerBound, step: 1))] }
        // The step of 1, 2, 2.5 or 5 times a power of ten whose tick count is nearest the target.
        let rough = span / Double(max(target, 1))
        let power = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * power }
            .min { abs(span / $0 - Double(target)) < abs(span / $1 - Double(target)) }!
        var ticks: [Tick] = []
        var k = (range.lowerBound / step).rounded(.up)
        while k * step <= range.upperBound + step * 1e-9 {
            let value = abs(k * step) < step * 1e-9 ? 0 : k * step
            ticks.append(Tick(value, format(value, step: step)))
            k += 1
        }
        return ticks
    }

    static func logarithmicTicks(over range: ClosedRange<Double>) -> [Tick] {
        guard range.lowerBound > 0 else { return [] }
        let low = Int(floor(log10(range.lowerBound) + 1e-9)), high = Int(ceil(log10(range.upperBound) - 1e-9))
        let decades = high - low
        let every = max(1, (decades + 6) / 7)
        let multiples: [Double] = decades <= 1 ? [1, 2, 5] : decades <= 3 ? [1, 3] : [1]
        var ticks: [Tick] = []
        for e in low...max(low, high) where (e - low) % every == 0 {
            for m in multiples {
                let value = m * pow(10, Double(e))
                if value >= range.lowerBound * (1 - 1e-9) && value <= range.upperBound * (1 + 1e-9) {
                    ticks.append(Tick(value, formatPower(m, e)))
                }
            }
        }
        return ticks
    }

    /// A tick label for `value` on a grid of `step`: as many decimals as the step needs,
    /// scientific for very large or small numbers, with a true minus sign.
    public static func format(_ value: Double, step: Double) -> String {
        let magnitude = max(abs(value), abs(step))
        let text: String
        if magnitude >= 1e6 || (magnitude < 1e-4 && value != 0) {
            text = String(format: "%.1e", value).replacingOccurrences(of: ".0e", with: "e")
        } else {
            // As many decimals as the step needs to be written exactly: 0.25 → 2, 2.5 → 1, 20 → 0.
            let decimals = (0...6).first { d in
                let scaled = abs(step) * pow(10, Double(d))
                return abs(scaled - scaled.rounded()) < 1e-6 * max(scaled, 1)
            } ?? 6
            text = String(format: "%.\(decimals)f", value)
        }
        return text.replacingOccurrences(of: "-", with: "\u{2212}")
    }

    /// A value for printing beside data: up to `significant` significant digits.
    public static func format(_ value: Double, significant: Int = 3) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "−∞") }
        return String(format: "%.\(significant)g", value).replacingOccurrences(of: "-", with: "\u{2212}")
    }

    static func formatPower(_ multiple: Double, _ exponent: Int) -> String {
        if exponent >= -3 && exponent <= 4 {
            let value = multiple * pow(10, Double(exponent))
            return format(value, step: pow(10, Double(min(exponent, 0))))
        }
        let superscripts: [Character: Character] = [
            "-": "\u{207B}", "0": "\u{2070}", "1": "\u{00B9}", "2": "\u{00B2}", "3": "\u{00B3}", "4": "\u{2074}",
            "5": "\u{2075}", "6": "\u{2076}", "7": "\u{2077}", "8": "\u{2078}", "9": "\u{2079}",
        ]
        let power = "10" + String(String(exponent).compactMap { superscripts[$0] })
        return multiple == 1 ? power : "\(Int(multiple))×\(power)"
    }
}
