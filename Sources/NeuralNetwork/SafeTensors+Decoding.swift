import Foundation

/// Reading a safetensors file in the order its layout allows checking it: the 8-byte header
/// length N first (against `maximumHeaderLength` and the file's size), then the N header
/// bytes, then, once every tensor's shape and `data_offsets` agree with each other and with
/// the file's size, only the data they announce. A forged length or shape is refused before
/// anything is allocated for it; a large file is never read whole to find that out.
extension SafeTensors {
    /// Decodes a file's bytes, checking every length and offset; `source` names the file in errors.
    public init(decoding bytes: [UInt8], source: String) throws {
        try self.init(source: source, size: bytes.count) { offset, buffer in
            bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + buffer.count)])) }
        }
    }

    /// Reads and decodes a file, reading no more of it than its header announces.
    public init(contentsOf path: String) throws {
        do {
            let file = try ReadOnlyFile(path: path)
            try self.init(source: path, size: file.size) { offset, buffer in
                guard try file.read(into: buffer, at: offset) == buffer.count else {
                    throw SafeTensorsError(source: path, reason: "the file shrank while it was being read")
                }
            }
        } catch let error as FileError {
            throw SafeTensorsError(source: path, reason: "cannot read the file: \(error.reason)")
        }
    }

    /// Decodes `size` bytes of which `read(offset, buffer)` fills `buffer` from `offset`.
    /// Every offset it is asked for lies within `size`.
    init(source: String, size: Int, read: (Int, UnsafeMutableRawBufferPointer) throws -> Void) throws {
        func fail(_ reason: String) -> SafeTensorsError { SafeTensorsError(source: source, reason: reason) }
        guard size >= 8 else { throw fail("the file has \(size) bytes, fewer than the 8-byte header length") }
        var n: UInt64 = 0
        try withUnsafeMutableBytes(of: &n) { try read(0, $0) }
        n = UInt64(littleEndian: n)
        guard n <= UInt64(Self.maximumHeaderLength) else { throw fail("header length \(n) exceeds the \(Self.maximumHeaderLength)-byte cap") }
        let headerEnd = 8 + Int(n)
        guard headerEnd <= size else { throw fail("truncated: the header needs \(n) bytes, only \(size - 8) follow") }
        var headerBytes = [UInt8](repeating: 0, count: Int(n))
        try headerBytes.withUnsafeMutableBytes { try read(8, $0) }
        let (entries, metadata) = try Self.entries(header: headerBytes, dataLength: size - headerEnd, fail: fail)
        tensors = try entries.map { e in
            let count = (e.end - e.begin) / 4
            var values = try [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                try read(headerEnd + e.begin, UnsafeMutableRawBufferPointer(buffer))
                initialized = count
            }
            // The file is little-endian, as are the hosts this runs on (x86-64, arm64).
            #if _endian(big)
            for i in values.indices { values[i] = Float(bitPattern: UInt32(littleEndian: values[i].bitPattern)) }
            #endif
            return Tensor(name: e.name, shape: e.shape, values: values)
        }
        self.metadata = metadata
    }

    /// The header's tensors in data order and its metadata, each checked against the
    /// `dataLength` bytes after the header: shapes whose byte count matches `data_offsets`
    /// (counted without overflow), no gaps, overlaps or trailing bytes, at most `maximumDataLength`.
    private static func entries(
        header bytes: [UInt8], dataLength: Int, fail: (String) -> SafeTensorsError
    ) throws -> ([(name: String, shape: [Int], begin: Int, end: Int)], [String: String]) {
        guard let json = try? JSONSerialization.jsonObject(with: Data(bytes)),
              let header = json as? [String: Any] else { throw fail("the header is not a JSON object") }
        var metadata: [String: String] = [:]
        var entries: [(name: String, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let m = value as? [String: String] else { throw fail("__metadata__ must map strings to strings") }
                metadata = m
                continue
            }
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int],
                  offsets.count == 2 else { throw fail("tensor \"\(name)\" lacks dtype, shape or data_offsets") }
            guard dtype == "F32" else { throw fail("tensor \"\(name)\" has dtype \(dtype); only F32 is supported") }
            guard shape.allSatisfy({ $0 >= 0 && $0 <= 1 << 31 }) else { throw fail("tensor \"\(name)\" has an invalid shape \(shape)") }
            let (begin, end) = (offsets[0], offsets[1])
            guard 0 <= begin, begin <= end, end <= dataLength else {
                throw fail("tensor \"\(name)\" spans bytes \(begin)..<\(end), outside the \(dataLength) data bytes (truncated file?)")
            }
            guard let byteCount = (shape + [4]).checkedProduct(), byteCount == end - begin else {
                throw fail("tensor \"\(name)\" has shape \(shape) but \(end - begin) bytes")
            }
            entries.append((name, shape, begin, end))
        }
        // In file order, ties (empty tensors) by end and name: never by the JSON object's
        // order, which follows a per-process hash seed.
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var expected = 0
        for e in entries {
            guard e.begin == expected else { throw fail("tensor \"\(e.name)\" starts at \(e.begin), expected \(expected): gap or overlap") }
            expected = e.end
        }
        guard expected == dataLength else { throw fail("\(dataLength - expected) trailing bytes after the last tensor") }
        guard expected <= maximumDataLength else {
            throw fail("its tensors hold \(expected) bytes, more than the \(maximumDataLength)-byte cap")
        }
        return (entries, metadata)
    }
}
