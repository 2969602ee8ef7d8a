import Foundation

/// A peer as the coordinator's transport knows it (a ZeroMQ routing id, or a name in memory).
public struct Peer: Hashable, Sendable, CustomStringConvertible {
    public let id: [UInt8]
    public init(id: [UInt8]) { self.id = id }
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

/// A worker's end of the exchange: one coordinator.
public protocol WorkerTransport: AnyObject {
    func send(_ message: WireMessage) throws
    /// The next arrival from the coordinator, or nil after `timeout` seconds without one.
    func receive(timeout: Double) throws -> Arrival?
}
