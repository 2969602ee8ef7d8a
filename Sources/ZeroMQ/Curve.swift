import CZeroMQ

/// Z85, ZeroMQ's printable encoding of binary keys (RFC 32): every 4 bytes become 5
/// characters from an 85-character alphabet, so a 32-byte CURVE key is 40 characters.
public enum Z85 {
    /// Encodes `bytes`, whose count must be a multiple of 4; nil otherwise.
    /// The corresponding C function is `zmq_z85_encode`.
    public static func encode(_ bytes: [UInt8]) -> String? {
        guard bytes.count % 4 == 0 else { return nil }
        var text = [CChar](repeating: 0, count: bytes.count / 4 * 5 + 1)
        guard zmq_z85_encode(&text, bytes, bytes.count) != nil else { return nil }
        return String(decoding: text.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Decodes `text`, whose length must be a multiple of 5 and whose characters must be
    /// Z85's; nil otherwise. The corresponding C function is `zmq_z85_decode`.
    public static func decode(_ text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count % 5 == 0, !characters.contains(0) else { return nil }
        guard !characters.isEmpty else { return [] }
        var bytes = [UInt8](repeating: 0, count: characters.count / 5 * 4)
        let decoded = text.withCString { zmq_z85_decode(&bytes, $0) }
        return decoded == nil ? nil : bytes
    }
}

/// A CURVE (Curve25519) key: 32 bytes, written as 40 Z85 characters in configuration
/// files and logs. Public keys identify workers; secret keys stay on their machine.
public struct CurveKey: Hashable, Sendable {
    public static let byteCount = 32

    /// The 32 key bytes.
    public let bytes: [UInt8]

    /// The key from its 32 bytes; nil for any other count.
    public init?(bytes: [UInt8]) {
        guard bytes.count == CurveKey.byteCount else { return nil }
        self.bytes = bytes
    }

    /// The key from its 40-character Z85 text; nil if that is not one.
    public init?(z85: String) {
        guard z85.utf8.count == 40, let bytes = Z85.decode(z85) else { return nil }
        self.bytes = bytes
    }

    /// The 40-character Z85 text. The corresponding C function is `zmq_z85_encode`.
    public var z85: String {
        guard let text = Z85.encode(bytes) else { preconditionFailure("a CurveKey always has 32 bytes") }
        return text
    }

    /// All zeros: what libzmq reports for a key that was never set.
    static let zero = CurveKey(bytes: [UInt8](repeating: 0, count: byteCount))!
}

/// A CURVE key pair: the public key goes to peers, the secret key stays here.
public struct CurveKeyPair: Hashable, Sendable {
    public let publicKey: CurveKey
    public let secretKey: CurveKey

    /// A new random key pair. Throws `ENOTSUP` when libzmq was built without CURVE.
    /// The corresponding C function is `zmq_curve_keypair`.
    public static func generate() throws(ZeroMQError) -> CurveKeyPair {
        var publicText = [CChar](repeating: 0, count: 41)
        var secretText = [CChar](repeating: 0, count: 41)
        try LibZMQ.check("zmq_curve_keypair") { zmq_curve_keypair(&publicText, &secretText) }
        return CurveKeyPair(publicKey: key(publicText), secretKey: key(secretText))
    }

    /// The pair of `secretKey`, its public key derived from it (for a secret key read from
    /// a file). The corresponding C function is `zmq_curve_public`.
    public init(secretKey: CurveKey) throws(ZeroMQError) {
        var publicText = [CChar](repeating: 0, count: 41)
        let secretText = secretKey.z85
        try LibZMQ.check("zmq_curve_public") { zmq_curve_public(&publicText, secretText) }
        self.init(publicKey: CurveKeyPair.key(publicText), secretKey: secretKey)
    }

    public init(publicKey: CurveKey, secretKey: CurveKey) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// A key from the 41-byte text libzmq wrote; anything else is a libzmq bug.
    private static func key(_ text: [CChar]) -> CurveKey {
        let z85 = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let key = CurveKey(z85: z85) else { preconditionFailure("libzmq wrote an invalid Z85 key: \(z85)") }
        return key
    }
}
