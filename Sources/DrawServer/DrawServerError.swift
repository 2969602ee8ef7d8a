/// Errors of setting up the server, with a sentence a user can act on.
public enum DrawServerError: Error, CustomStringConvertible, Equatable {
    case unreadableReport(String)
    /// Another socket listens on `port` of `host` already (EADDRINUSE).
    case addressInUse(host: String, port: Int)

    public var description: String {
        switch self {
        case let .unreadableReport(reason): return reason
        case let .addressInUse(host, port): return "port \(port) on \(host) is in use"
        }
    }
}
