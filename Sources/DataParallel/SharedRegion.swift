import CFutex
import Foundation

/// Memory shared by the coordinator and one worker on the same machine: the step's
/// parameters go in once, the worker's node sums come back, and the step's two small
/// messages (order and reply) travel through two mailboxes instead of ZeroMQ.
///
/// Why: a 407 KB message over ipc costs ~190 µs per round trip here against ~65 µs for a
/// small one (`digits bench zmq`), and a small one still passes through two libzmq I/O
/// threads each way (~35 µs a step, measured); a mailbox is a memcpy and a futex wake.
/// Everything else (hello, shards, heartbeats, shutdown, failure detection) stays on ZeroMQ.
///
/// Layout of the file (a tmpfs file under /dev/shm, mode 0600), little-endian:
///
///     magic u32 "DGSR" · version u32 2 · nonce u64 · parameter count P u64 · slots K u64
///     … zero padding to 64 bytes
///     inbox        2,048 bytes: a `Mailbox` for the coordinator's step orders
///     outbox       2,048 bytes: a `Mailbox` for the worker's replies
///     parameters   P × Float32   written by the coordinator before it sends a step
///     sums         K × P × Float32   slot i: the worker's sum of the step's i-th node
///
/// The coordinator creates the file and tells the worker its path and nonce in the welcome
/// (over the possibly encrypted ZeroMQ link); the worker maps it only if the header carries
/// that nonce, and says so in its replies. The coordinator unlinks the file as soon as the
/// worker has mapped it (or could not), so a crash leaves nothing behind in /dev/shm.
///
/// Who writes when: the coordinator writes the parameters only while the worker is idle
/// (it has replied to every order sent to it), and reads the sums only after the reply
/// that says they are there; a worker computes one order at a time. A dropped worker keeps
/// its mapping but its region is never read again.
public final class SharedRegion: @unchecked Sendable {
    public static let magic: UInt32 = 0x5253_4744 // "DGSR"
    public static let version: UInt32 = 2
    static let headerSize = 64 + 2 * Mailbox.size
    /// Where regions live; a worker refuses any other path.
    public static let directory = "/dev/shm"

    public let path: String
    public let nonce: UInt64
    public let parameterCount: Int
    public let slots: Int
    let base: UnsafeMutableRawPointer
    let size: Int
    private var linked: Bool

    public var parameters: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: (base + Self.headerSize).assumingMemoryBound(to: Float.self), count: parameterCount)
    }

    /// Step orders, coordinator → worker.
    public var inbox: Mailbox { Mailbox(base: base + 64) }
    /// Replies, worker → coordinator.
    public var outbox: Mailbox { Mailbox(base: base + 64 + Mailbox.size) }

    /// Slot `i` of the sums.
    public func slot(_ i: Int) -> UnsafeMutableBufferPointer<Float> {
        precondition(i >= 0 && i < slots, "slot \(i) of \(slots)")
        return UnsafeMutableBufferPointer(start: parameters.baseAddress! + (i + 1) * parameterCount, count: parameterCount)
    }

    static func byteCount(parameterCount: Int, slots: Int) -> Int { headerSize + (slots + 1) * parameterCount * 4 }

    private init(path: String, nonce: UInt64, parameterCount: Int, slots: Int, base: UnsafeMutableRawPointer, size: Int, linked: Bool) {
        self.path = path
        self.nonce = nonce
        self.parameterCount = parameterCount
        self.slots = slots
        self.base = base
        self.size = size
        self.linked = linked
    }

    deinit {
        munmap(base, size)
        unlink()
    }

    /// Removes the file's name; both sides keep their mappings. Only the creator unlinks.
    public func unlink() {
        guard linked else { return }
        linked = false
        _ = Foundation.unlink(path)
    }

    /// Creates a region for `slots` node sums of `parameterCount` values. Its memory is
    /// reserved at once (posix_fallocate), so a full /dev/shm fails here with a message
    /// rather than with SIGBUS on a later write.
    public static func create(parameterCount: Int, slots: Int, name: String) throws -> SharedRegion {
        precondition(parameterCount > 0 && slots > 0)
        var random = SystemRandomNumberGenerator()
        // The nonce only proves the worker reads the file it was told of; it does not enter any result.
        let nonce = random.next() as UInt64
        let path = "\(directory)/digits-\(getpid())-\(String(name.filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.prefix(32)))-\(String(nonce, radix: 36))"
        let size = byteCount(parameterCount: parameterCount, slots: slots)
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw TrainingError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        #if os(Linux)
        let reserved = posix_fallocate(fd, 0, off_t(size))
        #else
        let reserved = ftruncate(fd, off_t(size)) == 0 ? 0 : errno
        #endif
        guard reserved == 0 else {
            _ = Foundation.unlink(path)
            throw TrainingError("cannot reserve \(size) bytes in \(directory) for \(path): \(String(cString: strerror(reserved)))")
        }
        guard let base = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), base != MAP_FAILED else {
            _ = Foundation.unlink(path)
            throw TrainingError("cannot map \(path): \(String(cString: strerror(errno)))")
        }
        let header = base.assumingMemoryBound(to: UInt64.self)
        header[0] = UInt64(magic.littleEndian) | UInt64(version.littleEndian) << 32
        header[1] = nonce.littleEndian
        header[2] = UInt64(parameterCount).littleEndian
        header[3] = UInt64(slots).littleEndian
        return SharedRegion(path: path, nonce: nonce, parameterCount: parameterCount, slots: slots, base: base, size: size, linked: true)
    }

    /// Maps the region the coordinator named, after checking that it is one: under
    /// /dev/shm, a regular file of the size its header implies, with our magic, version and
    /// the expected nonce and parameter count. Throws a reason otherwise.
    public static func attach(path: String, nonce: UInt64, parameterCount: Int) throws -> SharedRegion {
        let name = String(path.dropFirst(directory.count + 1))
        guard path.hasPrefix(directory + "/digits-"), !name.contains("/"), !name.contains("..") else {
            throw TrainingError("\(path) is not a digits region under \(directory)")
        }
        let fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw TrainingError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size >= headerSize else {
            throw TrainingError("\(path) is not a region: not a regular file of at least \(headerSize) bytes")
        }
        var header = [UInt64](repeating: 0, count: 4)
        guard header.withUnsafeMutableBytes({ pread(fd, $0.baseAddress, 32, 0) }) == 32 else {
            throw TrainingError("cannot read the header of \(path)")
        }
        let (word, fileNonce, count, slots) = (UInt64(littleEndian: header[0]), UInt64(littleEndian: header[1]),
                                               UInt64(littleEndian: header[2]), UInt64(littleEndian: header[3]))
        guard word == UInt64(magic) | UInt64(version) << 32, fileNonce == nonce else {
            throw TrainingError("\(path) is not the region of this run (magic, version or nonce differ)")
        }
        guard count == UInt64(parameterCount), slots >= 1, slots <= 1 << 16 else {
            throw TrainingError("\(path) holds \(count) parameters and \(slots) slots; the model has \(parameterCount) parameters")
        }
        let size = byteCount(parameterCount: parameterCount, slots: Int(slots))
        guard Int(info.st_size) == size else {
            throw TrainingError("\(path) has \(info.st_size) bytes, its header implies \(size)")
        }
        guard let base = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), base != MAP_FAILED else {
            throw TrainingError("cannot map \(path): \(String(cString: strerror(errno)))")
        }
        return SharedRegion(path: path, nonce: nonce, parameterCount: parameterCount, slots: Int(slots), base: base, size: size, linked: false)
    }

    /// Where this process runs: the kernel boot, the host name, and the network and mount
    /// namespaces, so that the coordinator offers regions only to workers that can map them.
    /// Processes in other namespaces (containers, or the hosts `Scripts/multihost-test`
    /// simulates with `ip netns`) may see another /dev/shm, and are meant as other machines:
    /// they get ZeroMQ. "" when unknown: then no region is offered.
    public static let hostIdentity: String = {
        guard let boot = try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8),
              let net = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/net"),
              let mnt = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/mnt")
        else { return "" }
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "" }
        let host = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return [boot.trimmingCharacters(in: .whitespacesAndNewlines), host, net, mnt].joined(separator: "/")
    }()
}

/// A one-message mailbox in a shared region: one side posts, the other reads what is new.
/// A sequence lock guards it (sequence u32, odd while being written; length u32; bytes), so a
/// reader never takes a half-written message; a sleeping reader is woken by a futex.
public struct Mailbox {
    static let size = 2048
    /// The largest message a mailbox holds; larger ones go through ZeroMQ.
    public static let capacity = size - 8
    let base: UnsafeMutableRawPointer

    /// Posts `message` and wakes the reader; false when it does not fit.
    public func post(_ message: [UInt8]) -> Bool {
        let sequence = message.withUnsafeBytes { digits_mailbox_post(base, UInt32(Self.capacity), $0.baseAddress, UInt32($0.count)) }
        guard sequence != 0 else { return false }
        digits_futex_wake(base.assumingMemoryBound(to: UInt32.self))
        return true
    }

    /// The message posted since sequence `seen` (which then advances), or nil when there is
    /// none or it is being written. A length beyond the capacity (a broken writer) reads as
    /// an empty message, which no decoder accepts.
    public func take(after seen: inout UInt32) -> [UInt8]? {
        if digits_mailbox_sequence(base) == seen { return nil }
        var sequence: UInt32 = 0
        var length: Int64 = -1
        let bytes = [UInt8](unsafeUninitializedCapacity: Self.capacity) { out, count in
            length = digits_mailbox_read(base, UInt32(Self.capacity), seen, out.baseAddress, &sequence)
            count = max(0, Int(length))
        }
        switch length {
        case -1, -2: return nil
        case -3:
            seen = digits_mailbox_sequence(base)
            return []
        default:
            seen = sequence
            return bytes
        }
    }

    /// The sequence number of the last message posted (0 before the first).
    public var currentSequence: UInt32 { digits_mailbox_sequence(base) }

    /// Sleeps until the sequence moves past `seen`, or `timeout` seconds pass.
    public func wait(after seen: UInt32, timeout: Double) {
        _ = digits_futex_wait(base.assumingMemoryBound(to: UInt32.self), seen, Int64(max(0, timeout) * 1e9))
    }
}
