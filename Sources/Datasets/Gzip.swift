import CZlib

/// gzip (RFC 1952) compression and streaming decompression through zlib.
///
/// Decompression inflates in chunks of 256 KiB and refuses to produce more than `limit`
/// bytes, so a gzip bomb (a tiny file that inflates to terabytes) fails fast with
/// `DatasetError.tooLarge` instead of exhausting memory. Concatenated gzip members (as
/// `cat a.gz b.gz` makes) decompress to the concatenation; anything else after the last
/// member is an error. The corresponding C functions are `inflateInit2` (window bits
/// 16 + MAX_WBITS: gzip wrapper only) and `inflate`.
public enum Gzip {
    /// Decompresses gzip `bytes`; `name` labels errors (a path, or e.g. "upload").
    public static func decompress(_ bytes: [UInt8], name: String, limit: Int = DataFile.defaultLimit) throws -> [UInt8] {
        var offset = 0
        return try decompress(name: name, limit: limit, sizeHint: 0) { buffer in
            let n = min(buffer.count, bytes.count - offset)
            bytes.withUnsafeBytes { source in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<offset + n]))
            }
            offset += n
            return n
        }
    }

    /// Decompresses a gzip stream delivered by `read`, which fills as much of the buffer as it
    /// can and returns the number of bytes, 0 at the end. `sizeHint` (e.g. the gzip trailer's
    /// ISIZE) reserves the output at once; it is only a hint and is clamped to `limit`.
    ///
    /// `announced`, if given, is shown the output so far until it returns the size the content's
    /// header announces; from then on that size is the limit, and output beyond it throws
    /// `DatasetError.exceedsAnnouncedSize`. Nothing is reserved from the hint before then.
    static func decompress(
        name: String, limit: Int, sizeHint: Int, announced: (([UInt8]) throws -> Int?)? = nil,
        read: (UnsafeMutableRawBufferPointer) throws -> Int
    ) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DatasetError.corruptGzip(path: name, reason: "zlib could not start: out of memory")
        }
        defer { inflateEnd(&stream) }

        let inputSize = 1 << 16, outputSize = 1 << 18
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: inputSize, alignment: 1)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: outputSize, alignment: 1)
        defer { input.deallocate(); chunk.deallocate() }
        let inputStart = input.baseAddress!.assumingMemoryBound(to: UInt8.self)

        var output: [UInt8] = []
        var limit = limit
        var awaitingAnnouncement = announced != nil
        if !awaitingAnnouncement { output.reserveCapacity(min(max(sizeHint, 0), limit)) }
        var endOfInput = false
        var memberEnded = false
        var sawMember = false
        while true {
            if stream.avail_in == 0 && !endOfInput {
                let n = try read(input)
                if n == 0 { endOfInput = true } else {
                    stream.next_in = inputStart
                    stream.avail_in = UInt32(n)
                }
            }
            if memberEnded {
                if stream.avail_in == 0 {
                    if endOfInput { return output }
                    continue
                }
                guard stream.next_in[0] == 0x1F else {
                    throw DatasetError.corruptGzip(path: name, reason: "unexpected bytes after the end of the gzip data")
                }
                inflateReset(&stream)
                memberEnded = false
            }
            stream.next_out = chunk.baseAddress!.assumingMemoryBound(to: UInt8.self)
            stream.avail_out = UInt32(outputSize)
            let status = inflate(&stream, Z_NO_FLUSH)
            let produced = outputSize - Int(stream.avail_out)
            if produced > 0 {
                guard output.count + produced <= limit else {
                    throw awaitingAnnouncement || announced == nil
                        ? DatasetError.tooLarge(path: name, limit: limit)
                        : DatasetError.exceedsAnnouncedSize(path: name, announcedBytes: limit)
                }
                output.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<produced]))
                if awaitingAnnouncement, let size = try announced?(output) {
                    awaitingAnnouncement = false
                    guard output.count <= size else { throw DatasetError.exceedsAnnouncedSize(path: name, announcedBytes: size) }
                    limit = min(limit, size)
                    // Room for what is announced, but not 2 GB on the word of a header whose
                    // data may never come (found by Scripts/fuzz): past 64 MiB it grows as it fills.
                    output.reserveCapacity(min(limit, 64 << 20))
                }
            }
            switch status {
            case Z_STREAM_END:
                memberEnded = true
                sawMember = true
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                // No progress was possible: fine while more input can come, truncation at its end.
                if endOfInput && stream.avail_in == 0 {
                    throw DatasetError.corruptGzip(
                        path: name, reason: sawMember || output.count > 0 || stream.total_in > 0
                            ? "the data ends in the middle of the stream (truncated file)" : "empty input")
                }
            case Z_MEM_ERROR:
                throw DatasetError.corruptGzip(path: name, reason: "zlib ran out of memory")
            default:
                throw DatasetError.corruptGzip(path: name, reason: zlibMessage(stream, status))
            }
        }
    }

    /// Compresses `bytes` into a single gzip member (zlib's `deflate` with window bits
    /// 16 + MAX_WBITS). `level` is 0 (store) ... 9 (smallest); the default is zlib's 6.
    public static func compress(_ bytes: [UInt8], level: Int32 = Z_DEFAULT_COMPRESSION) -> [UInt8] {
        precondition(level == Z_DEFAULT_COMPRESSION || (0...9).contains(level), "gzip level must be 0...9")
        precondition(bytes.count < Int(UInt32.max), "Gzip.compress takes less than 4 GiB at once")
        var stream = z_stream()
        let started = deflateInit2_(&stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
                                    zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(started == Z_OK, "deflateInit2 failed (\(started)): out of memory")
        defer { deflateEnd(&stream) }
        // deflateBound covers the zlib wrapper; the gzip header and trailer need 18 more bytes
        // than zlib's 6.
        let bound = Int(deflateBound(&stream, UInt(bytes.count))) + 32
        var output = [UInt8](repeating: 0, count: bound)
        var source = bytes
        let status = source.withUnsafeMutableBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = input.baseAddress
                stream.avail_in = UInt32(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        precondition(status == Z_STREAM_END, "deflate did not finish (\(status)) within deflateBound")
        output.removeLast(Int(stream.avail_out))
        return output
    }
}

private func zlibMessage(_ stream: z_stream, _ status: Int32) -> String {
    if let message = stream.msg { return String(cString: message) }
    return "zlib error \(status)"
}
