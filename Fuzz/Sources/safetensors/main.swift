import DataParallel
import FuzzSupport
import NeuralNetwork

// Model and checkpoint files: `SafeTensors(decoding:)`, then, on what it accepts,
// `TrainedModel(safeTensors:)` and (for files that say they are checkpoints) the checkpoint
// loader, which reads only from a path.
let checkpointFile = ScratchFile("checkpoint.safetensors")

Fuzzer.run(seeds: Seeds.all) { bytes in
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
