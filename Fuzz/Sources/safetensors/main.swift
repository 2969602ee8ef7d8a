import DataParallel
import FuzzSupport
import NeuralNetwork

// Model and checkpoint files: `SafeTensors(decoding:)`, then, on what it accepts,
// `TrainedModel(safeTensors:)` and (for files that say they are checkpoints) the checkpoint
// loader, which reads only from a path. The input is `Layout.file`'s.
let checkpointFile = ScratchFile("checkpoint.safetensors")

Fuzzer.run(seeds: Seeds.all) { input in
    let bytes = Layout.file(input)
    guard let file = try? SafeTensors(decoding: bytes, source: "input") else { return }
    // What was read is what is written: the file's own encoding decodes to the same contents.
    guard let again = try? SafeTensors(decoding: file.encoded(), source: "re-encoded") else {
        preconditionFailure("SafeTensors cannot decode its own encoding of an accepted file")
    }
    precondition(Contents(again) == Contents(file), "SafeTensors: decoding its own encoding changed the contents")
    if let model = try? TrainedModel(safeTensors: file, source: "input") {
        precondition((try? TrainedModel(safeTensors: model.safeTensors(), source: "re-encoded")) != nil,
                     "TrainedModel cannot read the file it writes for an accepted model")
    }
    if file.metadata["format"] == Checkpoint.format {
        _ = try? Checkpoint(contentsOf: checkpointFile.write(bytes))
    }
}

/// A file's tensors by name (shape and the bits of each value, so that NaNs compare equal)
/// and metadata: tensors are in offset order, which several empty ones share.
struct Contents: Equatable {
    var shapes: [String: [Int]] = [:]
    var bits: [String: [UInt32]] = [:]
    var metadata: [String: String]

    init(_ file: SafeTensors) {
        metadata = file.metadata
        for t in file.tensors {
            shapes[t.name] = t.shape
            bits[t.name] = t.values.map(\.bitPattern)
        }
    }
}

enum Layout {
    /// The file's bytes from a fuzz input. Byte 0 even: the rest is the file as it is. Odd:
    /// the rest is the header's JSON, a NUL byte, then the tensor data, and the 8-byte header
    /// length is put in front here, so that a mutation inside the header (a longer number, a
    /// key more) still makes a file whose header can be read.
    static func file(_ input: [UInt8]) -> [UInt8] {
        var reader = FuzzInput(input)
        let editable = reader.byte() & 1 == 1
        let rest = reader.rest()
        guard editable else { return rest }
        let split = rest.firstIndex(of: 0) ?? rest.endIndex
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(split).littleEndian) { bytes += $0 }
        return bytes + rest[..<split] + rest[min(split + 1, rest.endIndex)...]
    }

    /// The input `file` reads back as `bytes`, in the odd form when `editable`.
    static func input(_ bytes: [UInt8], editable: Bool) -> [UInt8] {
        guard editable else { return [0] + bytes }
        var n = 0
        for i in 0..<8 { n |= Int(bytes[i]) << (8 * i) }
        return [1] + bytes[8..<(8 + n)] + [0] + bytes[(8 + n)...]
    }
}
