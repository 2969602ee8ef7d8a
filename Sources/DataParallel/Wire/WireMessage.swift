import NeuralNetwork

/// The coordinator–worker protocol.
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
    public static let protocolVersion: UInt16 = 3
    public static let headerSize = 24

    public enum Kind: UInt8, Sendable, CaseIterable {
        case hello = 1, welcome, shards, step, gradient, heartbeat, goodbye, shutdown, error
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

        public init(protocolVersion: UInt16 = WireMessage.protocolVersion, name: String, coreType: String,
                    threads: Int = 1, expectedShape: String = "") {
            self.protocolVersion = protocolVersion
            self.name = name
            self.coreType = coreType
            self.threads = threads
            self.expectedShape = expectedShape
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

    public struct StepOrder: Equatable, Sendable {
        public var position: StepPosition
        public var nodes: [TreeNode]
        /// The parameters to compute with: a frame of their own, the same array (so the same
        /// bytes, never copied) for every worker of a step.
        public var parameters: [Float]

        public init(position: StepPosition, nodes: [TreeNode], parameters: [Float]) {
            self.position = position
            self.nodes = nodes
            self.parameters = parameters
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

        public var nodes: [Node]
        /// Seconds the worker spent computing.
        public var computeSeconds: Double

        public init(nodes: [Node], computeSeconds: Double) {
            self.nodes = nodes
            self.computeSeconds = computeSeconds
        }
    }
}
