/// Text that a peer sent, made safe for a log line: control characters (a newline, an ANSI
/// escape) are shown as `\u{1B}` instead of acting on the terminal or forging lines, and
/// anything past `limit` characters is cut, saying how much was.
public func escapedForLog(_ text: String, limit: Int = 200) -> String {
    var out = ""
    var count = 0
    for scalar in text.unicodeScalars {
        if count == limit {
            return out + "… (\(text.unicodeScalars.count - limit) more characters)"
        }
        let v = scalar.value
        if v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029 {
            out += "\\u{" + String(v, radix: 16, uppercase: true) + "}"
        } else {
            out.unicodeScalars.append(scalar)
        }
        count += 1
    }
    return out
}

/// Repeated refusals as one log line per reason and interval: a peer that sends 100,000
/// bad frames writes a line every `interval` seconds with a count, not 100,000 lines.
struct RefusalLog {
    let interval: Double
    private var last: [String: (time: Double, suppressed: Int)] = [:]

    init(interval: Double = 10) { self.interval = interval }

    /// The line to log for a refusal of kind `key`, or nil to stay silent (it is counted).
    mutating func line(_ text: String, key: String, now: Double) -> String? {
        if let seen = last[key], now - seen.time < interval {
            last[key] = (seen.time, seen.suppressed + 1)
            return nil
        }
        let repeats = last[key].map { $0.suppressed > 0 ? " (and \($0.suppressed) more like it in the last \(Int(interval)) s)" : "" } ?? ""
        last[key] = (now, 0)
        if last.count > 1000 { last = last.filter { now - $0.value.time < interval } }
        return text + repeats
    }
}
