#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and writes with errors that name the file.
///
/// `contents(of:)` detects gzip by its magic bytes `1f 8b` (not by the name) and inflates
/// it while streaming, so raw and `.gz` files read the same. Every read is capped
/// (`limit`, after decompression) so that a damaged header or a gzip bomb cannot make us
/// allocate without bound.
public enum DataFile {
    /// The default cap: 2 GiB of data plus room for an IDX header.
    public static let defaultLimit = (1 << 31) + 1024

    /// What a file's first bytes say its whole (decompressed) size is: given those bytes and,
    /// for a file stored raw, its size on disk, returns the announced size, nil while the bytes
    /// are too few to tell, or throws to refuse the file.
    public typealias AnnouncedSize = (_ prefix: [UInt8], _ storedSize: Int?) throws -> Int?

    /// The most bytes `AnnouncedSize` is shown of a raw file: room for any IDX header.
    static let announcementLength = 1024

    /// The bytes of the file at `path`, decompressed if it is gzip.
    ///
    /// With `announced`, the content's own header caps what is read: a raw file is checked
    /// against it before the rest is read, and gzip is inflated no further than it (a bomb
    /// behind a small header fails at once with `.exceedsAnnouncedSize`, not at `limit`).
    /// Throws `DatasetError.unreadable`, `.tooLarge`, `.exceedsAnnouncedSize` or `.corruptGzip`.
    public static func contents(of path: String, limit: Int = defaultLimit, announced: AnnouncedSize? = nil) throws -> [UInt8] {
        let file = try OpenFile(path: path)
        var magic: [UInt8] = [0, 0]
        let peeked = try file.read(into: &magic, at: 0)
        if peeked == 2 && magic == [0x1F, 0x8B] {
            let compressedSize = try file.size()
            var hint = 0
            if compressedSize >= 18 {
                // ISIZE, the last 4 bytes: the uncompressed size modulo 2^32 (RFC 1952).
                var trailer: [UInt8] = [0, 0, 0, 0]
                _ = try file.read(into: &trailer, at: compressedSize - 4)
                // A forged ISIZE must not reserve gigabytes: deflate expands at most ~1032:1.
                hint = min(trailer.reversed().reduce(0) { $0 << 8 | Int($1) }, compressedSize * 1032)
            }
            var offset = 0
            return try Gzip.decompress(name: path, limit: limit, sizeHint: hint, announced: announced.map { f in { try f($0, nil) } }) { buffer in
                let n = try file.read(into: buffer, at: offset)
                offset += n
                return n
            }
        }
        if let announced {
            let size = try file.size()
            var prefix = [UInt8](repeating: 0, count: min(size, announcementLength))
            _ = try file.read(into: &prefix, at: 0)
            _ = try announced(prefix, size)
        }
        return try raw(file, limit: limit)
    }

    /// The bytes of the file at `path` as stored (no decompression).
    public static func rawContents(of path: String, limit: Int = defaultLimit) throws -> [UInt8] {
        try raw(OpenFile(path: path), limit: limit)
    }

    /// Creates or replaces the file at `path` with `bytes`.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DatasetError.unwritable(path: path, reason: systemMessage(errno)) }
        defer { close(fd) }
        if let code = writeAll(bytes, to: fd) {
            throw DatasetError.unwritable(path: path, reason: systemMessage(code))
        }
    }

    private static func raw(_ file: OpenFile, limit: Int) throws -> [UInt8] {
        let size = try file.size()
        guard size <= limit else { throw DatasetError.tooLarge(path: file.path, limit: limit) }
        var bytes = [UInt8](repeating: 0, count: size)
        let n = try file.read(into: &bytes, at: 0)
        guard n == size else {
            throw DatasetError.unreadable(path: file.path, reason: "the file shrank while being read")
        }
        return bytes
    }
}

/// A file descriptor opened for reading, closed in `deinit`; every failing call throws
/// `DatasetError.unreadable` with the system's message.
final class OpenFile {
    let path: String
    private let fd: Int32

    init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DatasetError.unreadable(path: path, reason: systemMessage(errno)) }
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    func size() throws -> Int {
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            throw DatasetError.unreadable(path: path, reason: systemMessage(errno))
        }
        guard status.st_mode & S_IFMT != S_IFDIR else {
            throw DatasetError.unreadable(path: path, reason: "it is a directory")
        }
        return Int(status.st_size)
    }

    /// Reads until `buffer` is full or the file ends; returns the number of bytes read.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw DatasetError.unreadable(path: path, reason: systemMessage(errno))
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    func read(into bytes: inout [UInt8], at offset: Int) throws -> Int {
        try bytes.withUnsafeMutableBytes { try read(into: $0, at: offset) }
    }
}

/// Writes all of `bytes` to `fd`, retrying short writes and EINTR; returns errno on failure.
private func writeAll(_ bytes: [UInt8], to fd: Int32) -> Int32? {
    var written = 0
    while written < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
        if n < 0 {
            if errno == EINTR { continue }
            return errno
        }
        written += n
    }
    return nil
}

/// The C library's message for an errno value.
func systemMessage(_ code: Int32) -> String {
    String(cString: strerror(code))
}
