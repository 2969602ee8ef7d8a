import Foundation
import NeuralNetwork

/// A run's timeline as a Chrome trace-event file (the JSON array format, which Perfetto and
/// chrome://tracing open): one track (`tid`) for the coordinator and one per worker, with
/// complete events ("X": a span, `ts` and `dur` in µs from the run's start) and instant
/// events ("i": joins, drops with their reason, redone steps, shard moves).
///
/// Events are kept in memory and appended to the file every `flushEvery` events and at the
/// end of every epoch (`flush`), so writing costs a step a few string appends; the file is a
/// well-formed JSON array once `close` has written its `]`, and before that it is still what
/// the trace viewers accept (the format allows the closing bracket to be missing).
public final class Timeline {
    public static let coordinatorTrack = 0
    public let path: String
    let file: AppendingFile
    let origin: Double
    let flushEvery: Int
    private var pending: [String] = []
    private var wrote = false
    private var named: Set<Int> = []
    private var failed = false
    private let onWriteError: (String) -> Void

    public init(path: String, origin: Double = Clock.now(), flushEvery: Int = 2000, onWriteError: @escaping (String) -> Void = { _ in }) throws {
        self.path = path
        self.origin = origin
        self.flushEvery = flushEvery
        self.onWriteError = onWriteError
        do {
            file = try AppendingFile(path: path, keepingContents: false)
        } catch let error as FileError {
            throw TrainingError("cannot open the timeline \(path) for writing: \(error.reason)")
        }
        name(track: Self.coordinatorTrack, "coordinator")
    }

    /// Names a track (once): "coordinator", or a worker's name.
    public func name(track: Int, _ name: String) {
        guard named.insert(track).inserted else { return }
        add(#"{"ph":"M","pid":1,"tid":\#(track),"name":"thread_name","args":{"name":\#(SafeTensors.quote(name))}}"#)
        add(#"{"ph":"M","pid":1,"tid":\#(track),"name":"thread_sort_index","args":{"sort_index":\#(track)}}"#)
    }

    /// A span from `start` to `end` (Clock seconds) on `track`.
    public func span(_ name: String, category: String, track: Int, from start: Double, to end: Double, args: [String: String] = [:]) {
        let ts = Self.microseconds(start - origin), dur = Self.microseconds(max(0, end - start))
        add(#"{"ph":"X","pid":1,"tid":\#(track),"cat":\#(SafeTensors.quote(category)),"name":\#(SafeTensors.quote(name)),"ts":\#(ts),"dur":\#(dur)\#(Self.args(args))}"#)
    }

    /// A moment on `track` (thread-scoped instant).
    public func instant(_ name: String, category: String, track: Int, at time: Double, args: [String: String] = [:]) {
        add(#"{"ph":"i","s":"t","pid":1,"tid":\#(track),"cat":\#(SafeTensors.quote(category)),"name":\#(SafeTensors.quote(name)),"ts":\#(Self.microseconds(time - origin))\#(Self.args(args))}"#)
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
        flush()
        write(wrote ? "\n]\n" : "[]\n")
        wrote = true
    }

    private var closed = false

    private func add(_ event: String) {
        guard !closed else { return }
        pending.append(event)
        if pending.count >= flushEvery { flush() }
    }

    private func write(_ text: String) {
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
