import Foundation

/// The safetensors file format: an 8-byte little-endian header length N, N bytes of JSON
/// (`{"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...,
/// "__metadata__": {"key": "value"}}`, padded with spaces to a multiple of 8), then the raw
/// little-endian tensor bytes. numpy alone can read it; so can the `safetensors` package.
public struct SafeTensors: Equatable, Sendable {
    public struct Tensor: Equatable, Sendable {
        public var name: String
        public var shape: [Int]
        public var values: [Float]

        public init(name: String, shape: [Int], values: [Float]) {
            precondition(shape.reduce(1, *) == values.count,
                         "tensor \(name): shape \(shape) holds \(shape.reduce(1, *)) values, got \(values.count)")
            self.name = name
            self.shape = shape
            self.values = values
        }
    }

    public var tensors: [Tensor]
    public var metadata: [String: String]

    /// Headers larger than this are refused before anything is allocated for them.
    public static let maximumHeaderLength = 16 << 20

    public init(tensors: [Tensor], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    public func tensor(named name: String) -> Tensor? { tensors.first { $0.name == name } }

    /// The file's bytes. Tensors are stored in the given order; metadata keys are sorted, so
    /// the same contents always give the same bytes.
    public func encoded() -> [UInt8] {
        var entries: [String] = []
        var offset = 0
        for t in tensors {
            let end = offset + t.values.count * 4
            entries.append("\(Self.quote(t.name)):{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(Self.quote($0)):\(Self.quote(metadata[$0]!))" }
            entries.insert("\"__metadata__\":{\(pairs.joined(separator: ","))}", at: 0)
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: header)
        for t in tensors {
            t.values.withUnsafeBufferPointer { p in
                for v in p { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
            }
        }
        return bytes
    }

    /// Decodes a file's bytes, checking every length and offset; `source` names the file in errors.
    public init(decoding bytes: [UInt8], source: String) throws {
        func fail(_ reason: String) -> SafeTensorsError { SafeTensorsError(source: source, reason: reason) }
        guard bytes.count >= 8 else { throw fail("the file has \(bytes.count) bytes, fewer than the 8-byte header length") }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(Self.maximumHeaderLength) else { throw fail("header length \(n) exceeds the \(Self.maximumHeaderLength)-byte cap") }
        let headerEnd = 8 + Int(n)
        guard headerEnd <= bytes.count else { throw fail("truncated: the header needs \(n) bytes, only \(bytes.count - 8) follow") }
        guard let json = try? JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd])),
              let header = json as? [String: Any] else { throw fail("the header is not a JSON object") }
        let dataLength = bytes.count - headerEnd
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
            let (count, overflow) = shape.reduce((1, false)) { acc, d in
                let r = acc.0.multipliedReportingOverflow(by: d); return (r.partialValue, acc.1 || r.overflow)
            }
            guard !overflow, count * 4 == end - begin else {
                throw fail("tensor \"\(name)\" has shape \(shape) but \(end - begin) bytes")
            }
            entries.append((name, shape, begin, end))
        }
        entries.sort { $0.begin < $1.begin }
        var expected = 0
        for e in entries {
            guard e.begin == expected else { throw fail("tensor \"\(e.name)\" starts at \(e.begin), expected \(expected): gap or overlap") }
            expected = e.end
        }
        guard expected == dataLength else { throw fail("\(dataLength - expected) trailing bytes after the last tensor") }
        tensors = entries.map { e in
            var values = [Float](repeating: 0, count: (e.end - e.begin) / 4)
            for i in 0..<values.count {
                let o = headerEnd + e.begin + 4 * i
                let bits = UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
                values[i] = Float(bitPattern: bits)
            }
            return Tensor(name: e.name, shape: e.shape, values: values)
        }
        self.metadata = metadata
    }

    /// Reads and decodes a file.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SafeTensorsError(source: path, reason: "cannot read the file (missing or unreadable)")
        }
        try self.init(decoding: [UInt8](data), source: path)
    }

    /// Writes the file atomically: a reader sees the old file or the new one, never half of one.
    public func write(to path: String) throws {
        try AtomicFile.write(encoded(), to: path)
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// A safetensors file that cannot be used, with the file and the reason.
public struct SafeTensorsError: Error, CustomStringConvertible, Equatable {
    public let source: String
    public let reason: String
    public var description: String { "\(source): not a valid safetensors file: \(reason)" }

    public init(source: String, reason: String) {
        self.source = source
        self.reason = reason
    }
}
