import NeuralNetwork

/// The protocol between the coordinator and its workers, and between workers (the sliced
/// exchange: `part`, `slice`).
///
/// Every message is one ZeroMQ multipart message (`WireFrames`): a head frame, then the
/// Float32 arrays of a step (its parameters) or of a gradient (one sum per node), each a
/// frame of raw little-endian values, so that they are sent without copying and read in
/// place. The head is a 24-byte header, then typed fields, all little-endian:
///
///     magic  u32  "DGTS" (0x53544744)
///     version u16 `WireMessage.protocolVersion`
///     type   u8   `WireMessage.Kind`
///     flags  u8   0
///     run    u64  run id, chosen by the coordinator (0 in a worker's first hello)
///     step   u64  number of the step order a message belongs to (0 when none); a worker's
///                 gradient echoes the order's number, so replies to a redone order are told apart
///
/// Strings and byte arrays are a u32 count then bytes. Decoding checks every length before
/// reading and throws `WireError`; it never traps.
public struct WireMessage: Equatable, Sendable {
    public static let magic: UInt32 = 0x5354_4744
    public static let protocolVersion: UInt16 = 4
    public static let headerSize = 24

    public enum Kind: UInt8, Sendable, CaseIterable {
        case hello = 1, welcome, shards, step, gradient, heartbeat, goodbye, shutdown, error, part, slice, unreachable, done
    }

    public var run: UInt64
    public var step: UInt64
    public var body: Body

    public init(run: UInt64, step: UInt64 = 0, _ body: Body) {
        self.run = run
        self.step = step
        self.body = body
    }

    public enum Body: Equatable, Sendable {
        /// Worker → coordinator, first: who it is and how it computes.
        case hello(Hello)
        /// Coordinator → worker: the run's settings and the model's shape.
        case welcome(Welcome)
        /// Coordinator → worker: samples of shards it now holds (in addition to earlier ones).
        case shards(ShardData)
        /// Coordinator → worker: compute these tree nodes at this position with these parameters.
        case step(StepOrder)
        /// Worker → coordinator: the sums of the nodes it was asked for.
        case gradient(GradientReply)
        /// Either way: I am alive.
        case heartbeat
        /// Worker → coordinator: I am leaving, and why.
        case goodbye(String)
        /// Coordinator → worker: the run is over (or you are refused), and why.
        case shutdown(String)
        /// Either way: your last message was refused, and why.
        case error(String)
        /// Worker → worker (sliced): the sender's node sums, restricted to the receiver's slice.
        case part(Part)
        /// Worker → worker (sliced): the owner's slice of the parameters after the update.
        case slice(SliceUpdate)
        /// Worker → coordinator (sliced): these ranks' parts or slices did not come in time.
        case unreachable([Int])
        /// Worker → coordinator (sliced): its slice is reduced and updated, with the step's
        /// statistics; its reduced slice (a `gradient`) follows. Once every owner is done the
        /// coordinator can order the next step while the reduced slices are on their way.
        case done(BatchStatistics)

        public var kind: Kind {
            switch self {
            case .hello: .hello
            case .welcome: .welcome
            case .shards: .shards
            case .step: .step
            case .gradient: .gradient
            case .heartbeat: .heartbeat
            case .goodbye: .goodbye
            case .shutdown: .shutdown
            case .error: .error
            case .part: .part
            case .slice: .slice
            case .unreachable: .unreachable
            case .done: .done
            }
        }
    }

    public struct Hello: Equatable, Sendable {
        public var protocolVersion: UInt16
        public var name: String
        /// The OpenBLAS core type the worker computes with: workers must agree for exactness.
        public var coreType: String
        public var threads: Int
        /// The model shape the worker expects, as layer sizes ("784,128,10"), or "" for any.
        public var expectedShape: String
        /// Where other workers reach it (its bound peer socket; `tcp://0.0.0.0:P` means "the
        /// host I connect to you from, port P"), and the CURVE public key that socket proves
        /// (empty when the run is --insecure).
        public var peerAddress: String
        public var peerKey: [UInt8]

        public init(protocolVersion: UInt16 = WireMessage.protocolVersion, name: String, coreType: String,
                    threads: Int = 1, expectedShape: String = "", peerAddress: String = "", peerKey: [UInt8] = []) {
            self.protocolVersion = protocolVersion
            self.name = name
            self.coreType = coreType
            self.threads = threads
            self.expectedShape = expectedShape
            self.peerAddress = peerAddress
            self.peerKey = peerKey
        }
    }

    public struct Welcome: Equatable, Sendable {
        public var workerIndex: Int
        /// `TrainingSettings` as JSON.
        public var settings: String
        /// `Architecture` as JSON.
        public var architecture: String
        public var shardCount: Int
        public var imageHeight: Int
        public var imageWidth: Int
        public var classes: Int
        /// Seconds between heartbeats, and silence after which the peer counts as gone.
        public var heartbeatInterval: Double
        public var heartbeatTimeout: Double

        public init(workerIndex: Int, settings: String, architecture: String, shardCount: Int,
                    imageHeight: Int, imageWidth: Int, classes: Int, heartbeatInterval: Double, heartbeatTimeout: Double) {
            self.workerIndex = workerIndex
            self.settings = settings
            self.architecture = architecture
            self.shardCount = shardCount
            self.imageHeight = imageHeight
            self.imageWidth = imageWidth
            self.classes = classes
            self.heartbeatInterval = heartbeatInterval
            self.heartbeatTimeout = heartbeatTimeout
        }
    }

    /// Shards to forget, then samples of shards to add: for each, its index, its labels, and
    /// its pixels (`labels.count × features` bytes), in plan order.
    public struct ShardData: Equatable, Sendable {
        public struct Shard: Equatable, Sendable {
            public var index: Int
            public var labels: [UInt8]
            public var pixels: [UInt8]

            public init(index: Int, labels: [UInt8], pixels: [UInt8]) {
                self.index = index
                self.labels = labels
                self.pixels = pixels
            }
        }

        /// Shard indices the worker no longer holds.
        public var drop: [Int]
        public var shards: [Shard]

        public init(drop: [Int], shards: [Shard]) {
            self.drop = drop
            self.shards = shards
        }
    }

    /// A step: the nodes to compute at a position. With the star, the parameters come with
    /// every order (one array, the same bytes, shared by every worker's frames) and the
    /// worker answers with its node sums. With the sliced exchange, `owners` lists every
    /// worker's slice in rank order and `rank` is this worker's; the parameters (and this
    /// worker's slice state) come only when the workers' own copies may differ from the
    /// coordinator's (the first step, a redo, a change of members), and otherwise the worker
    /// computes with the parameters the all-gather of order `basis` left it.
    public struct StepOrder: Equatable, Sendable {
        public var position: StepPosition
        public var nodes: [TreeNode]
        /// The factor of α for this step's update (the owners apply it in the sliced exchange).
        public var learningRateScale: Float
        public var owners: [SliceOwner]
        public var rank: Int
        public var basis: UInt64
        public var parameters: [Float]?
        public var state: SliceState?

        public init(position: StepPosition, nodes: [TreeNode], parameters: [Float]?, learningRateScale: Float = 1,
                    owners: [SliceOwner] = [], rank: Int = 0, basis: UInt64 = 0, state: SliceState? = nil) {
            self.position = position
            self.nodes = nodes
            self.parameters = parameters
            self.learningRateScale = learningRateScale
            self.owners = owners
            self.rank = rank
            self.basis = basis
            self.state = state
        }
    }

    public struct GradientReply: Equatable, Sendable {
        public struct Node: Equatable, Sendable {
            public var node: TreeNode
            public var statistics: BatchStatistics
            /// The gradient sum (a frame of its own), or empty when the node's micro-batches
            /// were all empty. Decoded only if every value is finite.
            public var values: [Float]

            public init(node: TreeNode, statistics: BatchStatistics, values: [Float]) {
                self.node = node
                self.statistics = statistics
                self.values = values
            }
        }

        /// When the worker computed a node (the whole order when its threads shared it:
        /// `node` nil), in the worker's own clock (seconds).
        public struct Span: Equatable, Sendable {
            public var node: TreeNode?
            public var start: Double
            public var end: Double

            public init(node: TreeNode?, start: Double, end: Double) {
                self.node = node
                self.start = start
                self.end = end
            }
        }

        public var nodes: [Node]
        /// The index of the first parameter the sums' values stand for: 0 for whole sums (the
        /// star), a slice's first index in the sliced exchange.
        public var first: Int
        /// Seconds the worker spent computing.
        public var computeSeconds: Double
        /// For the timeline, in the worker's clock: when its order arrived, when this reply
        /// left, and its compute spans. The coordinator aligns the clocks from the round trip.
        public var received: Double
        public var sent: Double
        public var spans: [Span]
        /// Bytes the worker has sent and received through its transport so far (all peers).
        public var bytesSent: UInt64 = 0
        public var bytesReceived: UInt64 = 0

        public init(nodes: [Node], first: Int = 0, computeSeconds: Double, received: Double = 0, sent: Double = 0, spans: [Span] = []) {
            self.nodes = nodes
            self.first = first
            self.computeSeconds = computeSeconds
            self.received = received
            self.sent = sent
            self.spans = spans
        }
    }
}
