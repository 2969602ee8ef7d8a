import Foundation
import Datasets
import ZeroMQ

/// The credential of a run, as cluster tools hand out join tokens: one 32-byte secret from
/// which the coordinator and every worker derive the run's CURVE keys. The coordinator's
/// key pair is k_c = SHA-256("digits coordinator key" ‖ s) and the workers' key pair is
/// k_w = SHA-256("digits worker key" ‖ s) (a Curve25519 secret key is any 32 bytes; the
/// public key follows from it). The coordinator admits only k_w's public key and workers
/// accept only a coordinator that proves it holds k_c, so whoever holds the token may join
/// (and may read the samples and the weights); nobody else can, and the traffic is
/// encrypted. Written as "digits-token-" and the secret in Z85 (40 characters).
public struct JoinToken: Sendable, Equatable {
    public static let prefix = "digits-token-"
    let secret: [UInt8]

    /// A new token from the system's random number generator.
    public static func generate() -> JoinToken {
        var generator = SystemRandomNumberGenerator()
        return JoinToken(secret: (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    init(secret: [UInt8]) {
        precondition(secret.count == 32, "a token's secret is 32 bytes")
        self.secret = secret
    }

    /// Reads a token as `text` writes it (surrounding white space ignored); nil if it is not one.
    public init?(text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix(Self.prefix), let bytes = Z85.decode(String(trimmed.dropFirst(Self.prefix.count))),
              bytes.count == 32 else { return nil }
        secret = bytes
    }

    public var text: String { Self.prefix + Z85.encode(secret)! }

    func keyPair(_ role: String) throws -> CurveKeyPair {
        try CurveKeyPair(secretKey: CurveKey(bytes: SHA256.digest(Array("digits \(role) key".utf8) + secret))!)
    }

    /// The coordinator's side: its key pair, admitting the workers' public key.
    public func coordinatorCurve() throws -> CoordinatorCurve {
        CoordinatorCurve(secretKey: try keyPair("coordinator").secretKey, allowedWorkers: [try keyPair("worker").publicKey])
    }

    /// A worker's side: the workers' key pair, and the coordinator's public key.
    public func workerCurve() throws -> WorkerCurve {
        WorkerCurve(keyPair: try keyPair("worker"), coordinatorKey: try keyPair("coordinator").publicKey)
    }
}
