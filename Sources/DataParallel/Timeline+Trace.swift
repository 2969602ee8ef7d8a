import Datasets
import Foundation

extension Timeline {
    /// A trace file read back: what `Timeline` wrote to it (`--timeline`), its spans and
    /// instants in seconds from the run's start, and its tracks' names.
    public struct Trace: Sendable {
        public var events: [Event]
        public var trackNames: [Int: String]

        /// The largest trace read (a run writes about 1.1 KB a step for 2 workers: 2 GiB is
        /// some two million steps).
        public static let maximumBytes = 1 << 31

        /// Reads the trace at `path` (gzipped or not). A run stopped before it closed its file
        /// leaves out the closing `]` (which the trace viewers accept too) and perhaps half a
        /// line: both are read as if the file ended at its last whole event.
        public init(path: String) throws {
            try self.init(data: Data(DataFile.contents(of: path, limit: Self.maximumBytes)), name: path)
        }

        /// Reads a trace from `data`; `name` labels errors.
        public init(data: Data, name: String) throws {
            events = []
            trackNames = [:]
            for (index, record) in try Self.records(data, name: name).enumerated() {
                guard let record = record as? [String: Any], let ph = record["ph"] as? String else {
                    throw TrainingError("\(name), event \(index + 1): not an event of a digits timeline (no \"ph\")")
                }
                func field<T>(_ key: String, as type: T.Type) throws -> T {
                    guard let value = record[key] as? T else {
                        throw TrainingError("\(name), event \(index + 1): its \"\(key)\" is missing or not a \(type == String.self ? "string" : "number")")
                    }
                    return value
                }
                switch ph {
                case "M":
                    if try field("name", as: String.self) == "thread_name",
                       let args = record["args"] as? [String: Any], let track = record["tid"] as? Int, let label = args["name"] as? String {
                        trackNames[track] = label
                    }
                case "X", "i":
                    let ts = try field("ts", as: Double.self), dur = ph == "X" ? try field("dur", as: Double.self) : nil
                    guard ts.isFinite, (dur ?? 0).isFinite, (dur ?? 0) >= 0 else {
                        throw TrainingError("\(name), event \(index + 1): a time of \(ts) µs lasting \(dur ?? 0) µs is not a span")
                    }
                    let args = (record["args"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
                    events.append(Event(track: try field("tid", as: Int.self), name: try field("name", as: String.self),
                                        category: try field("cat", as: String.self), start: ts / 1e6,
                                        duration: dur.map { $0 / 1e6 }, args: args))
                default:
                    continue   // other phases are not ours; the viewers skip what they do not know too
                }
            }
        }

        /// The JSON array of events in `data`: as it is (closed), else closed after its last
        /// byte, else closed after its last whole line (an event cut short; one per line).
        static func records(_ data: Data, name: String) throws -> [Any] {
            func parse(_ text: Data) -> [Any]? { try? JSONSerialization.jsonObject(with: text) as? [Any] }
            if let records = parse(data) { return records }
            var whole = data[..<(data.lastIndex(of: UInt8(ascii: "\n")) ?? data.startIndex)]
            while let last = whole.last, [0x2C, 0x20, 0x0A, 0x0D, 0x09].contains(last) { whole.removeLast() }
            guard let records = parse(data + Data("\n]".utf8)) ?? parse(whole + Data("\n]".utf8)) else {
                throw TrainingError("\(name) is not a timeline written by --timeline (a JSON array of trace events)")
            }
            return records
        }

        /// The coordinator's step spans, in the order of the run (named by `Timeline.stepName`).
        public var steps: [Event] { events.filter { $0.category == "step" && $0.track == Timeline.coordinatorTrack } }
    }
}

extension StepTimeline {
    /// Step `name` of `trace` (`Timeline.stepName`), or its longest step when nil (the first
    /// of equals), with every event that overlaps it.
    public init(trace: Timeline.Trace, step name: String?, file: String) throws {
        let steps = trace.steps
        guard let first = steps.first, let last = steps.last else {
            throw TrainingError("\(file) has no steps: the run stopped before its first step ended")
        }
        let chosen: Timeline.Event
        if let name {
            guard let step = steps.first(where: { $0.name == name }) else {
                throw TrainingError("\(file) has no \(name): its steps run from \(first.name) to \(last.name)")
            }
            chosen = step
        } else {
            chosen = steps.reduce(first) { ($1.duration ?? 0) > ($0.duration ?? 0) ? $1 : $0 }
        }
        self.init(step: chosen, events: Timeline.overlapping(chosen, in: trace.events), names: trace.trackNames)
    }
}
