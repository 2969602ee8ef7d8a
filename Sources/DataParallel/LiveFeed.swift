import Foundation
import NeuralNetwork
import ZeroMQ

/// What the live view shows of a run at one moment: one message of the `LiveFeed`, whole
/// (a subscriber needs only the newest one, however late it joined).
public struct RunStatus: Codable, Equatable, Sendable {
    /// "waiting" (for workers), "training", "finished", "interrupted" or "failed".
    public var state: String
    /// What is trained on what, e.g. "784→128→10 on MNIST, sliced exchange, 2 workers".
    public var title: String
    /// Seconds since the coordinator started.
    public var seconds: Double
    public var step: Int
    public var totalSteps: Int
    public var epoch: Int
    public var epochs: Int
    /// The current epoch so far: mean loss and accuracy, samples per second.
    public var loss: Double?
    public var accuracy: Double?
    public var samplesPerSecond: Double?
    /// The last step's seconds and each worker's part in it.
    public var stepSeconds: Double?
    public var lastStep: [WorkerStep]
    /// Every finished epoch (a resumed run's earlier ones included).
    public var history: [EpochMetrics]
    public var roster: Roster
    /// The last step drawn: its span, the events within it, and the tracks' names.
    public var timeline: StepTimeline?

    enum CodingKeys: String, CodingKey {
        case state, title, seconds, step, epoch, epochs, loss, accuracy, history, roster, timeline
        case totalSteps = "total_steps", samplesPerSecond = "samples_per_second", stepSeconds = "step_seconds"
        case lastStep = "last_step"
    }

    /// The feed's JSON, both ways: sorted keys; a diverged loss (NaN, ±∞) as a string rather
    /// than a failure.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }()
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }()

    public init(title: String, totalSteps: Int, epochs: Int) {
        state = "waiting"
        self.title = title
        seconds = 0
        step = 0
        self.totalSteps = totalSteps
        epoch = 0
        self.epochs = epochs
        lastStep = []
        history = []
        roster = Roster()
    }
}

/// One step of the timeline: what `Timeline.lastStep` gives, with the tracks named.
public struct StepTimeline: Codable, Equatable, Sendable {
    public struct Track: Codable, Equatable, Sendable {
        public var track: Int
        public var name: String
    }

    public var step: Timeline.Event
    public var events: [Timeline.Event]
    public var tracks: [Track]

    /// The last step of `timeline` (nil before the first).
    public init?(_ timeline: Timeline) {
        guard let (step, events) = timeline.lastStep() else { return nil }
        self.init(step: step, events: events, names: timeline.trackNames)
    }

    /// `step` and `events`, with the names of the tracks they are on.
    init(step: Timeline.Event, events: [Timeline.Event], names: [Int: String]) {
        self.step = step
        self.events = events
        let used = Set(events.map(\.track) + [step.track])
        tracks = names.filter { used.contains($0.key) }.sorted { $0.key < $1.key }.map { Track(track: $0.key, name: $0.value) }
    }
}

/// The coordinator's side of the live view: a ZeroMQ PUB socket on which it publishes a
/// `RunStatus` (JSON, one frame) at most every `interval` seconds, and at once at the end of
/// an epoch and of the run. It publishes only what the run measures anyway; sending never
/// waits (a subscriber that falls behind loses old statuses, never slows a step).
public final class LiveFeed {
    public let endpoint: String
    public private(set) var status: RunStatus
    let context: Context
    let socket: Socket
    let interval: Double
    let start = Clock.now()
    var lastSent = -Double.infinity
    /// Who is in the run, asked at each publication (the coordinator's `roster`).
    public var roster: () -> Roster = { Roster() }
    /// Where the last step's spans come from.
    public var timeline: Timeline?

    /// Binds `endpoint` (ipc://PATH, or tcp://HOST:PORT; a `*` port takes a free one).
    public init(bind endpoint: String, status: RunStatus, interval: Double = 0.25) throws {
        context = try Context()
        socket = try Socket(.publisher, in: context)
        try socket.set(.linger, .zero)
        try socket.set(.sendHighWaterMark, 4)
        do {
            try socket.bind(endpoint)
        } catch {
            throw TrainingError("cannot publish the live view on \(endpoint): \(error)")
        }
        self.endpoint = try socket.get(.lastEndpoint)
        self.status = status
        self.interval = interval
    }

    /// Publishes now and then while nothing else happens (waiting for workers, long steps).
    public func tick() { publishIfDue() }

    /// A step's progress (`TrainingRun.onStep`).
    public func step(_ p: RunProgress) {
        status.state = "training"
        status.step = p.globalStep
        status.totalSteps = p.totalSteps
        status.epoch = p.epoch
        status.loss = p.epochStatistics.meanLoss
        status.accuracy = p.epochStatistics.accuracy
        status.samplesPerSecond = p.samplesPerSecond
        status.stepSeconds = p.stepSeconds
        status.lastStep = p.workers
        publishIfDue()
    }

    /// A finished epoch (`TrainingRun.onEpoch`), published at once.
    public func epoch(_ m: EpochMetrics) {
        status.history.append(m)
        publish()
    }

    /// Earlier epochs (a resumed run's).
    public func begin(history: [EpochMetrics]) {
        status.history = history
        publish()
    }

    /// The run's end: "finished", "interrupted" or "failed".
    public func finish(_ state: String) {
        status.state = state
        publish()
    }

    func publishIfDue() {
        if Clock.now() - lastSent >= interval { publish() }
    }

    func publish() {
        lastSent = Clock.now()
        status.seconds = lastSent - start
        status.roster = roster()
        if let timeline { status.timeline = StepTimeline(timeline) ?? status.timeline }
        let data = try! RunStatus.encoder.encode(status)
        // Full (a subscriber behind): this status is lost, the next one goes.
        _ = try? socket.send(Array(data), flags: .dontWait)
    }

    deinit { context.shutdown() }
}

/// The live view's side: subscribes to a `LiveFeed` and keeps the newest status.
public final class LiveFeedSubscriber: @unchecked Sendable {
    public let endpoint: String
    let context: Context
    let socket: Socket
    /// The largest status accepted; a bigger message is not a feed's.
    public static let maximumMessageSize = 16 << 20

    public init(connect endpoint: String) throws {
        self.endpoint = endpoint
        context = try Context()
        socket = try Socket(.subscriber, in: context)
        try socket.set(.linger, .zero)
        try socket.set(.maximumMessageSize, Self.maximumMessageSize)
        try socket.set(.conflate, true)
        try socket.set(.subscribe, [])
        try socket.set(.receiveTimeout, .milliseconds(250))
        do {
            try socket.connect(endpoint)
        } catch {
            throw TrainingError("cannot follow the run at \(endpoint): \(error)")
        }
    }

    /// The next status (its JSON and its decoded value), or nil after the receive timeout.
    /// A message that is not a status is skipped: `invalid` gets why.
    public func next(invalid: (String) -> Void = { _ in }) -> (json: [UInt8], status: RunStatus)? {
        guard let message = try? socket.receive() else { return nil }
        let bytes = message.withUnsafeBytes { Array($0) }
        do {
            return (bytes, try RunStatus.decoder.decode(RunStatus.self, from: Data(bytes)))
        } catch {
            invalid("a message of \(bytes.count) bytes on \(endpoint) is not a run status: \(error)")
            return nil
        }
    }

    deinit { context.shutdown() }
}
