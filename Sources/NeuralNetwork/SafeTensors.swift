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

    /// Data sections larger than this are refused before they are read: 4 GiB, room for a model
    /// of `Architecture.maximumParameterCount` parameters with Adam's two moments beside it.
    public static let maximumDataLength = 1 << 32

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
        bytes.append(contentsOf: dataBytes())
        return bytes
    }

    /// The data section: every tensor's values as little-endian F32, in the tensors' order.
    public func dataBytes() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(tensors.reduce(0) { $0 + 4 * $1.values.count })
        for t in tensors {
            t.values.withUnsafeBufferPointer { p in
                for v in p { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
            }
        }
        return bytes
    }

    /// Writes the file atomically: a reader sees the old file or the new one, never half of one.
    public func write(to path: String) throws {
        try AtomicFile.write(encoded(), to: path)
    }

    /// `s` as a JSON string literal (also the timeline's: one escaper for every JSON we write).
    public static func quote(_ s: String) -> String {
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
