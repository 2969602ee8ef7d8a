import ZeroMQ

/// ZeroMQ facts for `digits doctor`: the libzmq version and whether it can encrypt.
enum ZeroMQReport {
    static func lines() -> [String] {
        let curve = ZeroMQLibrary.has("curve")
            ? "CURVE available"
            : "CURVE missing (no encryption: install a libzmq built with libsodium)"
        let ipc = ZeroMQLibrary.has("ipc") ? "ipc available" : "no ipc"
        return ["ZeroMQ:         libzmq \(ZeroMQLibrary.versionString), \(curve), \(ipc)"]
    }
}
