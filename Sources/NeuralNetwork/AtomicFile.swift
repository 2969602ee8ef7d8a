#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed file operation, naming the file, the step and the system's reason.
public struct FileError: Error, CustomStringConvertible {
    public let path: String
    public let operation: String
    public let code: Int32
    /// The system's message for `code`, e.g. "No space left on device".
    public var reason: String { String(cString: strerror(code)) }
    public var description: String { "\(path): \(operation) failed: \(reason)" }
}

/// The one errno funnel of this module's file calls: runs `call` again while it is
/// interrupted (EINTR) and turns any other -1 into a `FileError` naming `path` and `operation`.
func retryingInterrupts(_ path: String, _ operation: String, _ call: () -> Int) throws -> Int {
    while true {
        let result = call()
        if result >= 0 { return result }
        if errno != EINTR { throw FileError(path: path, operation: operation, code: errno) }
    }
}

/// Writes all of `bytes` to `fd`, retrying short writes; `path` names the file in errors.
func writeAll(_ bytes: [UInt8], to fd: Int32, path: String) throws {
    var written = 0
    while written < bytes.count {
        let n = try retryingInterrupts(path, "write") {
            bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
        }
        written += n
    }
}

/// Writes whole files atomically: write a temporary file beside the target, fsync it,
/// rename it over the target, fsync the directory. After a crash the target is either the
/// old file or the new one.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let temporary = "\(path).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(path: temporary, operation: "create", code: errno) }
        do {
            try writeAll(bytes, to: fd, path: temporary)
        } catch {
            close(fd); unlink(temporary)
            throw error
        }
        if fsync(fd) != 0 {
            let code = errno
            close(fd); unlink(temporary)
            throw FileError(path: temporary, operation: "fsync", code: code)
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw FileError(path: path, operation: "rename", code: code)
        }
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let dfd = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }
}
