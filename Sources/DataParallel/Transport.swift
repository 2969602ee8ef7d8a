import Foundation

/// A peer as the coordinator's transport knows it (a ZeroMQ routing id, or a name in memory),
/// and the host its connection comes from when the transport knows (not part of its identity).
public struct Peer: Hashable, Sendable, CustomStringConvertible {
    public let id: [UInt8]
    public let host: String?
    public init(id: [UInt8], host: String? = nil) {
        self.id = id
        self.host = host
    }
    public static func == (a: Peer, b: Peer) -> Bool { a.id == b.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
    public var description: String {
        if let s = String(validating: id, as: UTF8.self), s.allSatisfy({ $0.isASCII && !$0.isNewline && $0 != "\0" }) { return s }
        return id.map { String(format: "%02x", $0) }.joined()
    }
}

/// Why frames that arrived were not a message.
public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// They start as a digits message of another protocol version.
    case version(UInt16)
    /// Anything else that does not decode: garbage, a forged length, gradient sums with NaN
    /// or ±∞; the reason says what.
    case undecodable(String)

    /// Whether the frames were refused for gradient sums with NaN or ±∞.
    public var isNonFinite: Bool {
        if case .undecodable(let reason) = self { return reason.hasSuffix(FloatFrame.nonFinite) }
        return false
    }

    public var description: String {
        switch self {
        case .version(let version): "it speaks protocol version \(version), this side speaks version \(WireMessage.protocolVersion)"
        case .undecodable(let reason): reason
        }
    }
}

/// What reaches one end from the other: a decoded message, or why frames were refused.
public enum Arrival: Sendable {
    case message(WireMessage)
    case refused(Refusal)

    /// Decodes a head frame and its Float32 frames (read in place), with the refusal a
    /// peer of another protocol version or a broken peer gets.
    static func decoding(head: [UInt8], payloads: ReceivedPayloads, maximumFloats: Int) -> Arrival {
        do {
            return .message(try WireMessage(head: head, payloads: payloads, maximumFloats: maximumFloats))
        } catch {
            if let version = WireMessage.peekVersion(head), version != WireMessage.protocolVersion { return .refused(.version(version)) }
            let reason = (error as? WireError)?.reason ?? "\(error)"
            return .refused(.undecodable("undecodable message (\(head.count) bytes, \(payloads.count) more frames): \(reason)"))
        }
    }

    static func decoding(_ frames: WireFrames, maximumFloats: Int = 1 << 28) -> Arrival {
        frames.withPayloadBytes { decoding(head: frames.head, payloads: $0, maximumFloats: maximumFloats) }
    }
}

/// The coordinator's end of the exchange: one endpoint, many peers, typed traffic. A step's
/// parameters go out without being copied (one array shared by every worker's message),
/// and a gradient's sums arrive decoded from the frames' own bytes and checked to be finite.
/// The coordinator does not know which transport it has: ZeroMQ, or memory in tests.
/// Delivery to a peer that has gone may fail or be dropped.
public protocol CoordinatorTransport: AnyObject {
    func send(_ message: WireMessage, to peer: Peer) throws
    /// The next arrival from any peer, or nil after `timeout` seconds without one.
    func receive(timeout: Double) throws -> (peer: Peer, arrival: Arrival)?
}

/// Where another worker is reached: its peer socket, and the CURVE public key that socket
/// proves (empty when the run is --insecure).
public struct PeerLink: Hashable, Sendable {
    public var address: String
    public var key: [UInt8]

    public init(address: String, key: [UInt8]) {
        self.address = address
        self.key = key
    }
}

/// Who sent an arrival to a worker.
public enum Sender: Sendable, Equatable {
    case coordinator
    /// Another worker, through this worker's peer socket, proving this CURVE public key
    /// (empty when the run is --insecure). Only the key says who sent it: a message is taken
    /// only when it is the key the coordinator listed for the rank it claims.
    case peer(key: [UInt8])
}

/// A worker's end of the exchange: the coordinator, and the other workers of the run (in the
/// sliced exchange), whose links it opens as the coordinator names them.
public protocol WorkerTransport: AnyObject {
    /// Where the other workers reach this one, as it says in its hello.
    var link: PeerLink { get }
    /// Bytes of every frame sent and received so far, to the coordinator and the peers.
    var traffic: (sent: UInt64, received: UInt64) { get }
    func send(_ message: WireMessage) throws
    /// Sends to another worker, connecting to it first if need be.
    func send(_ message: WireMessage, to peer: PeerLink) throws
    /// The workers of the run now: links to any others are closed.
    func setPeers(_ peers: [PeerLink])
    /// The largest message the peer socket takes from now on: once the model is known, a
    /// stranger cannot make the worker allocate more than a part or a slice can need.
    func limitPeerMessages(toBytes bytes: Int) throws
    /// The next arrival from the coordinator or a peer, or nil after `timeout` seconds without one.
    func receive(timeout: Double) throws -> (sender: Sender, arrival: Arrival)?
}
