import Datasets
import FuzzSupport

// IDX files, raw or gzip, through `IDX.read(path:)` as the trainer reads them (gzip is
// detected by content, with the ISIZE hint). The first byte chooses how: bit 0 set
// compresses the rest first (so that IDX headers behind gzip are explored too, not only
// mutated gzip streams), bits 1–2 the dimension count expected (any, 1, 3, any).
let file = ScratchFile("data.idx")

Fuzzer.run(seeds: Seeds.all) { bytes in
    var input = FuzzInput(bytes)
    let mode = input.byte()
    let rest = input.rest()
    let content = mode & 1 == 0 ? rest : Gzip.compress(rest, level: 1)
    let dimensionCount = [nil, 1, 3, nil][Int(mode >> 1 & 3)]
    let array = try? IDX.read(path: file.write(content), dimensionCount: dimensionCount)
    // The in-memory decompressor reads the same stream as the file reader.
    if content.starts(with: [0x1F, 0x8B]), let inflated = try? Gzip.decompress(content, name: "input"), let array {
        precondition(IDX.encode(array) == inflated, "Gzip.decompress and DataFile.contents disagree")
    }
    if let array {
        precondition((try? IDX.parse(IDX.encode(array), name: "re-encoded")) == array, "IDX: decoding its own encoding changed the array")
    }
}

/// Images and labels as MNIST stores them, raw, gzip and two gzip members; mode byte first.
enum Seeds {
    static func all() -> [String: [UInt8]] {
        let images = IDX.encode(IDXArray(dimensions: [2, 3, 3], data: (0..<18).map { UInt8($0 * 14) }))
        let labels = IDX.encode(IDXArray(dimensions: [2], data: [7, 1]))
        let gzipped = Gzip.compress(images)
        return [
            "images": [0b100] + images,
            "labels": [0b010] + labels,
            "images-gzip": [0b100] + gzipped,
            "labels-gzip-members": [0] + Gzip.compress(Array(labels.prefix(5))) + Gzip.compress(Array(labels.dropFirst(5))),
            "images-compressed-here": [0b101] + images,
            "four-dimensions": [1] + IDX.encode(IDXArray(dimensions: [1, 2, 1, 2], data: [1, 2, 3, 4])),
        ]
    }
}
