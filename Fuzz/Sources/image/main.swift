import Datasets
import FuzzSupport

// PNG and PGM images through `GrayImage.decode`, the decoding behind `GrayImage.read` and
// `digits predict` (read adds only the file). Byte 0 even: the rest is the file as it is;
// odd: a PNG whose chunk CRCs are recomputed here, so that mutations inside chunks reach
// libpng's parsing instead of its CRC check.
Fuzzer.run(seeds: Seeds.all) { input in
    var reader = FuzzInput(input)
    let fixCRCs = reader.byte() & 1 == 1
    let bytes = fixCRCs ? SeedPNG.fixingCRCs(reader.rest()) : reader.rest()
    guard let image = try? GrayImage.decode(bytes, name: "input") else { return }
    // PNG is lossless: the image's own PNG decodes to the same pixels.
    precondition((try? GrayImage.decode(image.pngData(), name: "re-encoded")) == image,
                 "GrayImage: decoding its own PNG changed the image")
}
