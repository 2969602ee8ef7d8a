/// An opaque sRGB colour, written into SVG as `#rrggbb`.
public struct Color: Equatable, Hashable, Sendable {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// A colour from its hexadecimal form, e.g. `Color(hex: 0x0072B2)`.
    public init(hex: UInt32) {
        self.init(red: UInt8((hex >> 16) & 0xFF), green: UInt8((hex >> 8) & 0xFF), blue: UInt8(hex & 0xFF))
    }

    /// `#rrggbb`.
    public var svg: String {
        let digits = Array("0123456789abcdef")
        let nibbles = [red >> 4, red & 15, green >> 4, green & 15, blue >> 4, blue & 15]
        return "#" + String(nibbles.map { digits[Int($0)] })
    }

    /// The colour a fraction `t` (0…1) of the way to `other`, channel by channel.
    public func mixed(with other: Color, by t: Double) -> Color {
        let t = min(max(t, 0), 1)
        func mix(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) + (Double(b) - Double(a)) * t).rounded()) }
        return Color(red: mix(red, other.red), green: mix(green, other.green), blue: mix(blue, other.blue))
    }

    /// This colour made paler, for areas filled behind points.
    public func lightened(_ t: Double = 0.75) -> Color { mixed(with: .white, by: t) }

    /// Black or white, whichever reads better on this colour (for text inside heat-map cells).
    public var contrastingText: Color {
        let luminance = 0.299 * Double(red) + 0.587 * Double(green) + 0.114 * Double(blue)
        return luminance > 140 ? .text : .white
    }

    public static let white = Color(hex: 0xFFFFFF)
    public static let black = Color(hex: 0x000000)
    public static let text = Color(hex: 0x222222)
    public static let axis = Color(hex: 0x444444)
    public static let gridLine = Color(hex: 0xE6E6E6)

    /// Distinct series colours (Okabe & Ito's palette, which colour-blind readers can tell
    /// apart), in the order series take them.
    public static let palette: [Color] = [
        Color(hex: 0x0072B2), Color(hex: 0xD55E00), Color(hex: 0x009E73), Color(hex: 0xCC79A7),
        Color(hex: 0xE69F00), Color(hex: 0x56B4E9), Color(hex: 0x999999), Color(hex: 0x000000),
        Color(hex: 0x882255), Color(hex: 0xB8A000),
    ]

    /// Series colour `i`, cycling through `palette`.
    public static func series(_ i: Int) -> Color {
        palette[((i % palette.count) + palette.count) % palette.count]
    }
}

/// A map from [0, 1] to colours, linear between evenly spaced stops.
public struct ColorMap: Equatable, Sendable {
    public var stops: [Color]

    public init(stops: [Color]) {
        precondition(stops.count >= 2, "a colour map needs at least two stops")
        self.stops = stops
    }

    /// The colour at `t`, clamped to [0, 1] (NaN counts as 0).
    public func color(at t: Double) -> Color {
        let t = t.isNaN ? 0 : min(max(t, 0), 1)
        let position = t * Double(stops.count - 1)
        let i = min(Int(position), stops.count - 2)
        return stops[i].mixed(with: stops[i + 1], by: position - Double(i))
    }

    /// Dark blue through green to yellow (stops of matplotlib's viridis): high is light.
    public static let viridis = ColorMap(stops: [
        Color(hex: 0x440154), Color(hex: 0x3B528B), Color(hex: 0x21918C), Color(hex: 0x5EC962), Color(hex: 0xFDE725),
    ])

    /// White to dark blue: for counts, such as a confusion matrix, where zero should vanish.
    public static let blues = ColorMap(stops: [
        Color(hex: 0xF7FBFF), Color(hex: 0xC6DBEF), Color(hex: 0x6BAED6), Color(hex: 0x2171B5), Color(hex: 0x08306B),
    ])
}
