#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written in place, a piece at a time (a log of JSON lines): opened for appending,
/// emptied first unless asked to keep what is there, closed in `deinit`. Every failing call
/// throws `FileError` with the system's reason, so a full disk is an error, not a trap.
/// The corresponding C functions are `open` (O_APPEND) and `write`.
public final class AppendingFile {
    public let path: String
    private let fd: Int32

    public init(path: String, keepingContents: Bool) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (keepingContents ? 0 : O_TRUNC), 0o644)
        guard fd >= 0 else { throw FileError(path: path, operation: "open", code: errno) }
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    /// Appends all of `bytes`.
    public func write(_ bytes: [UInt8]) throws {
        try writeAll(bytes, to: fd, path: path)
    }
}
