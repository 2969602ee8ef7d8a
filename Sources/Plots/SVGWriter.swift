/// Accumulates SVG text: elements with escaped attributes and content, and numbers written
/// short (two decimals at most), so that a picture of a few thousand shapes stays small.
struct SVGWriter {
    private(set) var text = ""
    private var depth = 0

    /// The font stack every text element uses; DejaVu Sans is on most Linux machines.
    static let fontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif"

    mutating func open(_ name: String, _ attributes: KeyValuePairs<String, String> = [:]) {
        line("<\(name)\(SVGWriter.attributes(attributes))>")
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        line("</\(name)>")
    }

    /// An element with no children, or with `content` as its escaped text.
    mutating func element(_ name: String, _ attributes: KeyValuePairs<String, String>, content: String? = nil) {
        if let content {
            line("<\(name)\(SVGWriter.attributes(attributes))>\(SVGWriter.escape(content))</\(name)>")
        } else {
            line("<\(name)\(SVGWriter.attributes(attributes))/>")
        }
    }

    /// A text element; `anchor` is "start", "middle" or "end".
    mutating func text(_ string: String, x: Double, y: Double, size: Double = 12, anchor: String = "middle",
                       color: Color = .text, bold: Bool = false, rotate: Double? = nil) {
        let transform = rotate.map { "rotate(\(SVGWriter.number($0)) \(SVGWriter.number(x)) \(SVGWriter.number(y)))" } ?? ""
        element("text", ["x": SVGWriter.number(x), "y": SVGWriter.number(y), "font-size": SVGWriter.number(size),
                         "text-anchor": anchor, "fill": color.svg, "font-weight": bold ? "bold" : "normal",
                         "transform": transform], content: string)
    }

    /// The XML declaration, the opening `svg` element of a `width`×`height` document, its
    /// `title` and a white background; the caller closes "svg".
    mutating func openDocument(width: Double, height: Double, title: String) {
        let n = SVGWriter.number
        raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        open("svg", ["xmlns": "http://www.w3.org/2000/svg", "width": n(width), "height": n(height),
                     "viewBox": "0 0 \(n(width)) \(n(height))", "font-family": SVGWriter.fontFamily])
        element("title", [:], content: title)
        element("rect", ["width": "100%", "height": "100%", "fill": Color.white.svg])
    }

    /// Raw text that is already valid SVG.
    mutating func raw(_ string: String) { line(string) }

    private mutating func line(_ string: String) {
        text += String(repeating: " ", count: depth) + string + "\n"
    }

    /// ` name="value"…`, leaving out attributes whose value is empty.
    static func attributes(_ pairs: KeyValuePairs<String, String>) -> String {
        pairs.filter { !$0.value.isEmpty }.map { " \($0.key)=\"\(escape($0.value))\"" }.joined()
    }

    static func escape(_ string: String) -> String {
        var out = ""
        out.reserveCapacity(string.count)
        for c in string {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A coordinate rounded to hundredths, without trailing zeros: 12.5, 3, −0.07. Values
    /// beyond ±10⁷ (a diverging curve, far outside any picture) are clamped there.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let hundredths = Int((min(max(value, -1e7), 1e7) * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = abs(hundredths)
        let whole = magnitude / 100, fraction = magnitude % 100
        if fraction == 0 { return "\(sign)\(whole)" }
        if fraction % 10 == 0 { return "\(sign)\(whole).\(fraction / 10)" }
        return "\(sign)\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// Path data through `points` (pixel coordinates), starting a new sub-path after each nil.
    static func pathData(_ points: [(Double, Double)?]) -> String {
        var d = "", pen = false
        for point in points {
            guard let (x, y) = point else { pen = false; continue }
            d += (pen ? "L" : (d.isEmpty ? "M" : " M")) + number(x) + " " + number(y)
            pen = true
        }
        return d
    }
}
