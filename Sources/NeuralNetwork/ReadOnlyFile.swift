#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened for reading, closed in `deinit`, read piece by piece at given offsets, so
/// that a reader can check a header before it reads (and allocates for) what follows it.
/// Failing calls throw `FileError` with the system's reason.
/// The corresponding C functions are `open`, `fstat` and `pread`.
final class ReadOnlyFile {
    let path: String
    /// The file's size in bytes when it was opened.
    let size: Int
    private let fd: Int32

    init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: path, operation: "open", code: errno) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let code = errno
            close(fd)
            throw FileError(path: path, operation: "stat", code: code)
        }
        guard status.st_mode & S_IFMT != S_IFDIR else {
            close(fd)
            throw FileError(path: path, operation: "read", code: EISDIR)
        }
        self.path = path
        self.fd = fd
        size = Int(status.st_size)
    }

    deinit { close(fd) }

    /// Fills `buffer` from `offset`, retrying short reads and EINTR; returns the bytes read,
    /// fewer than `buffer.count` only at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n = try retryingInterrupts(path, "read") { pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done)) }
            if n == 0 { break }
            done += n
        }
        return done
    }
}
