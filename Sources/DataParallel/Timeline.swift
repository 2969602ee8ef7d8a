import Foundation
import NeuralNetwork

/// A run's timeline: one track for the coordinator and one per worker, with spans (a name, a
/// category, a start and a duration) and instants (joins, drops with their reason, redone
/// steps, shard moves).
///
/// Two readers, one record: with a file (`--timeline`), every event goes to a Chrome
/// trace-event file (the JSON array format, which Perfetto and chrome://tracing open: `tid` is
/// the track, "X" a span, "i" an instant, `ts` and `dur` in µs from the run's start); and the
/// events of the last `window` seconds stay in memory (`recent`, `lastStep`) for the live view
/// and the report's drawing of one step.
///
/// File events are kept in memory and appended every `flushEvery` events and at the end of
/// every epoch (`flush`), so writing costs a step a few appends; the file is a well-formed JSON
/// array once `close` has written its `]`, and before that it is still what the trace viewers
/// accept (the format allows the closing bracket to be missing).
public final class Timeline {
    public static let coordinatorTrack = 0

    /// One span or instant; times in seconds from the run's start.
    public struct Event: Codable, Equatable, Sendable {
        public var track: Int
        public var name: String
        public var category: String
        public var start: Double
        /// nil for an instant.
        public var duration: Double?
        public var args: [String: String]

        public var end: Double { start + (duration ?? 0) }
    }

    public let path: String?
    let file: AppendingFile?
    let origin: Double
    let flushEvery: Int
    /// Seconds of events kept in memory.
    public let window: Double
    private var pending: [String] = []
    private var wrote = false
    public private(set) var trackNames: [Int: String] = [:]
    /// The events of the last `window` seconds, in the order they were added.
    public private(set) var recent: [Event] = []
    private var failed = false
    private let onWriteError: (String) -> Void

    /// A timeline written to `path` (nil: kept in memory only, for `window` seconds).
    public init(path: String?, origin: Double = Clock.now(), flushEvery: Int = 2000, window: Double = 5,
                onWriteError: @escaping (String) -> Void = { _ in }) throws {
        self.path = path
        self.origin = origin
        self.flushEvery = flushEvery
        self.window = window
        self.onWriteError = onWriteError
        if let path {
            do {
                file = try AppendingFile(path: path, keepingContents: false)
            } catch let error as FileError {
                throw TrainingError("cannot open the timeline \(path) for writing: \(error.reason)")
            }
        } else {
            file = nil
        }
        name(track: Self.coordinatorTrack, "coordinator")
    }

    /// Names a track (once): "coordinator", or a worker's name.
    public func name(track: Int, _ name: String) {
        guard trackNames[track] == nil else { return }
        trackNames[track] = name
        guard file != nil else { return }
        add(#"{"ph":"M","pid":1,"tid":\#(track),"name":"thread_name","args":{"name":\#(SafeTensors.quote(name))}}"#)
        add(#"{"ph":"M","pid":1,"tid":\#(track),"name":"thread_sort_index","args":{"sort_index":\#(track)}}"#)
    }

    /// A span from `start` to `end` (Clock seconds) on `track`.
    public func span(_ name: String, category: String, track: Int, from start: Double, to end: Double, args: [String: String] = [:]) {
        record(Event(track: track, name: name, category: category, start: start - origin, duration: max(0, end - start), args: args))
    }

    /// A moment on `track` (thread-scoped instant).
    public func instant(_ name: String, category: String, track: Int, at time: Double, args: [String: String] = [:]) {
        record(Event(track: track, name: name, category: category, start: time - origin, duration: nil, args: args))
    }

    /// The last step's span on the coordinator's track (category "step") and every event that
    /// overlaps it, or nil before the first step (or when it is older than `window`).
    public func lastStep() -> (step: Event, events: [Event])? {
        guard let step = recent.last(where: { $0.category == "step" && $0.track == Self.coordinatorTrack }) else { return nil }
        return (step, Self.overlapping(step, in: recent))
    }

    /// The name of a step's span on the coordinator's track, counting from 1: "step 2.15" is
    /// epoch 2's step 15 (`epoch` and `step` are the 0-based position).
    public static func stepName(epoch: Int, step: Int) -> String { "step \(epoch + 1).\(step + 1)" }

    /// The events of `events` that overlap `step` (other than the step itself).
    static func overlapping(_ step: Event, in events: [Event]) -> [Event] {
        events.filter { $0 != step && $0.end >= step.start && $0.start <= step.end }
    }

    private func record(_ event: Event) {
        guard !closed else { return }
        recent.append(event)
        // Trimmed in bulk, so that a step pays for one removal now and then, not one per event.
        if recent.count >= 512, let first = recent.first, first.start < event.start - 2 * window {
            recent.removeFirst(recent.firstIndex { $0.start >= event.start - window } ?? 0)
        }
        guard file != nil else { return }
        let ts = Self.microseconds(event.start)
        let common = #""pid":1,"tid":\#(event.track),"cat":\#(SafeTensors.quote(event.category)),"name":\#(SafeTensors.quote(event.name)),"ts":\#(ts)"#
        if let duration = event.duration {
            add(#"{"ph":"X",\#(common),"dur":\#(Self.microseconds(duration))\#(Self.args(event.args))}"#)
        } else {
            add(#"{"ph":"i","s":"t",\#(common)\#(Self.args(event.args))}"#)
        }
    }

    /// Appends what is kept to the file.
    public func flush() {
        guard !pending.isEmpty else { return }
        let text = (wrote ? ",\n" : "[\n") + pending.joined(separator: ",\n")
        pending.removeAll(keepingCapacity: true)
        wrote = true
        write(text)
    }

    /// Writes what is kept and the closing bracket (once; later events are dropped).
    public func close() {
        guard !closed else { return }
        closed = true
        guard file != nil else { return }
        flush()
        write(wrote ? "\n]\n" : "[]\n")
        wrote = true
    }

    private var closed = false

    private func add(_ event: String) {
        pending.append(event)
        if pending.count >= flushEvery { flush() }
    }

    private func write(_ text: String) {
        guard let file, let path else { return }
        do {
            try file.write(Array(text.utf8))
        } catch {
            guard !failed else { return }
            failed = true
            onWriteError("warning: cannot write the timeline \(path): \((error as? FileError)?.reason ?? "\(error)"); it stops here, training goes on")
        }
    }

    static func microseconds(_ seconds: Double) -> String { String(format: "%.1f", seconds * 1e6) }

    static func args(_ args: [String: String]) -> String {
        guard !args.isEmpty else { return "" }
        return #","args":{"# + args.sorted { $0.key < $1.key }.map { "\(SafeTensors.quote($0.key)):\(SafeTensors.quote($0.value))" }.joined(separator: ",") + "}"
    }
}
