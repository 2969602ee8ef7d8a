import Foundation

/// A connection attempt the ZAP handler refused.
public struct ZAPRefusal: Sendable, Equatable, CustomStringConvertible {
    /// The ZAP domain of the server socket that was connected to.
    public let domain: String
    /// The client's address as libzmq reports it: its IP for tcp, empty for ipc.
    public let address: String
    /// "CURVE", "NULL" or "PLAIN".
    public let mechanism: String
    /// The client's long-term CURVE public key, when it offered one.
    public let publicKey: CurveKey?
    /// Why it was refused, as sent back in the ZAP status text.
    public let reason: String

    /// The client's public key in Z85, or "(none)".
    public var publicKeyZ85: String { publicKey?.z85 ?? "(none)" }

    public var description: String { "refused \(mechanism) client \(publicKeyZ85) from \(address): \(reason)" }
}

/// The decisions of a `ZAPHandler` (ZAP 1.0, RFC 27): admit a CURVE client whose public
/// key is listed, refuse everything else. Thread-safe: the handler thread answers while
/// other threads change the list or read the refusals.
final class ZAPPolicy: @unchecked Sendable { // every mutable field is guarded by `lock`
    /// The most refusals kept (the oldest are dropped), so a flood cannot exhaust memory.
    static let refusalLimit = 1000

    private let lock = NSLock()
    /// The keys admitted; nil admits every CURVE key.
    private var allowed: Set<CurveKey>?
    private var refused: [ZAPRefusal] = []
    private let domain: String?
    private let onRefusal: (@Sendable (ZAPRefusal) -> Void)?

    init(domain: String?, allowed: Set<CurveKey>?, onRefusal: (@Sendable (ZAPRefusal) -> Void)?) {
        self.domain = domain
        self.allowed = allowed
        self.onRefusal = onRefusal
    }

    func allow(_ key: CurveKey) { lock.withLock { _ = allowed?.insert(key) } }
    func revoke(_ key: CurveKey) { lock.withLock { _ = allowed?.remove(key) } }
    var refusals: [ZAPRefusal] { lock.withLock { refused } }

    /// The reply frames to a request's frames: version "1.0", request id, status code
    /// ("200" admits, "400" refuses, "500" for a request that is not ZAP 1.0), status text,
    /// user id (the client key in Z85) and empty metadata.
    func answer(_ frames: [[UInt8]]) -> [[UInt8]] {
        let text = { (index: Int) in frames.indices.contains(index) ? String(decoding: frames[index], as: UTF8.self) : "" }
        let requestID = frames.indices.contains(1) ? frames[1] : []
        func reply(_ code: String, _ status: String, user: String = "") -> [[UInt8]] {
            [Array("1.0".utf8), requestID, Array(code.utf8), Array(status.utf8), Array(user.utf8), []]
        }
        guard frames.count >= 6, text(0) == "1.0" else { return reply("500", "not a ZAP 1.0 request") }
        let (requestDomain, address, mechanism) = (text(2), text(3), text(5))
        let key = mechanism == "CURVE" && frames.count == 7 ? CurveKey(bytes: frames[6]) : nil

        let reason: String
        if let domain, requestDomain != domain {
            reason = "unknown ZAP domain \"\(requestDomain)\""
        } else if mechanism != "CURVE" {
            reason = "mechanism \(mechanism) is not accepted, only CURVE"
        } else if let key {
            if lock.withLock({ allowed?.contains(key) ?? true }) { return reply("200", "OK", user: key.z85) }
            reason = "unknown key"
        } else {
            reason = "malformed CURVE credentials"
        }
        let refusal = ZAPRefusal(domain: requestDomain, address: address, mechanism: mechanism,
                                 publicKey: key, reason: reason)
        lock.withLock {
            if refused.count == ZAPPolicy.refusalLimit { refused.removeFirst() }
            refused.append(refusal)
        }
        onRefusal?(refusal)
        return reply("400", reason)
    }
}
