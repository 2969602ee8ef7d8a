/// Errors of setting up the server, with a sentence a user can act on.
public enum DrawServerError: Error, CustomStringConvertible {
    case unreadableReport(String)

    public var description: String {
        switch self {
        case let .unreadableReport(reason): return reason
        }
    }
}
