import Foundation

/// A file for decoders that read only from a path: rewritten with each input, in the
/// temporary directory (`$TMPDIR`: `Scripts/fuzz` points it at a folder of its own), named by
/// the process id so that the processes of `-fork` mode do not share one.
///
/// The file stays open and is rewritten in place (pwrite, then ftruncate to the new size):
/// ext4 flushes a file that was truncated to zero when it is closed, which made each input
/// wait for the disk.
public final class ScratchFile {
    public let path: String
    private let fd: Int32

    public init(_ name: String) {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("digits-fuzz-\(getpid())-\(name)").path
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        precondition(fd >= 0, "cannot open the scratch file \(path): \(String(cString: strerror(errno)))")
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// Replaces the file's contents with `bytes` and returns its path.
    public func write(_ bytes: [UInt8]) -> String {
        let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        precondition(written == bytes.count && ftruncate(fd, off_t(bytes.count)) == 0,
                     "cannot write the scratch file \(path): \(String(cString: strerror(errno)))")
        return path
    }
}
