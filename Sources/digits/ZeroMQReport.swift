/// ZeroMQ facts for `digits doctor`; filled in by the ZeroMQ module.
enum ZeroMQReport {
    static func lines() -> [String] { [] }
}
