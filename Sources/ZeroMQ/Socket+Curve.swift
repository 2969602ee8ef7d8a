/// CURVE set-ups in one call each, so that a server cannot be left open by a forgotten
/// option. Call them before `bind`/`connect`.
extension Socket {
    /// Makes this socket a CURVE server that fails closed: it encrypts every connection,
    /// and admits a client only when the ZAP handler of this context for `zapDomain`
    /// (see `ZAPHandler`) says 200. With no handler running, everyone is refused.
    /// Options ZMQ_CURVE_SERVER, ZMQ_CURVE_SECRETKEY, ZMQ_ZAP_DOMAIN and
    /// ZMQ_ZAP_ENFORCE_DOMAIN. The corresponding C function is `zmq_setsockopt`.
    public func makeCurveServer(secretKey: CurveKey, zapDomain: String) throws(ZeroMQError) {
        precondition(!zapDomain.isEmpty, "a CURVE server needs a ZAP domain, or it admits every client")
        try set(.curveServer, true)
        try set(.curveSecretKey, secretKey)
        try set(.zapDomain, zapDomain)
        try set(.zapEnforceDomain, true)
    }

    /// Makes this socket a CURVE client that talks only to the server owning
    /// `serverKey`, and proves its own identity with `keyPair`.
    /// Options ZMQ_CURVE_PUBLICKEY, ZMQ_CURVE_SECRETKEY and ZMQ_CURVE_SERVERKEY.
    /// The corresponding C function is `zmq_setsockopt`.
    public func makeCurveClient(keyPair: CurveKeyPair, serverKey: CurveKey) throws(ZeroMQError) {
        try set(.curvePublicKey, keyPair.publicKey)
        try set(.curveSecretKey, keyPair.secretKey)
        try set(.curveServerKey, serverKey)
    }
}
