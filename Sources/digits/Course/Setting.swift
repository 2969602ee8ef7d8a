import Plots

/// One value an exercise ran with, as it prints it ("α = 0.5", "300 steps"), and whether it
/// is the exercise's default rather than a value given on the command line.
struct Setting {
    var text: String
    var isDefault: Bool

    init(_ text: String, isDefault: Bool) {
        self.text = text
        self.isDefault = isDefault
    }

    /// "w = 0.3", with six significant digits so that a value typed on the command line is
    /// printed as typed. A value equal to the default counts as the default, even if given.
    init(_ name: String, _ value: Double, default defaultValue: Double) {
        self.init("\(name) = \(Axis.format(value, significant: 6))", isDefault: value == defaultValue)
    }
}

/// The line every exercise prints before its results, so that a bare run says which values
/// it chose and how to change them:
/// "Using w = 0.3, b = 68 (the defaults); try --w 0.5 --b 65 to move the line."
/// Each run of defaults, or of values given, is marked once, so the student sees what their
/// options changed: "α = 0.004, 10000 steps (the defaults), raw units (given)".
func usage(_ settings: [Setting], hint: String) -> String {
    var groups: [[Setting]] = []
    for setting in settings {
        if let last = groups.last?.last, last.isDefault == setting.isDefault {
            groups[groups.count - 1].append(setting)
        } else {
            groups.append([setting])
        }
    }
    let list = groups.map { group in
        let mark = group[0].isDefault ? (group.count > 1 ? "the defaults" : "the default") : "given"
        return group.map(\.text).joined(separator: ", ") + " (\(mark))"
    }
    return "Using \(list.joined(separator: ", ")); \(hint)."
}
