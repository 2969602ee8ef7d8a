import Datasets
import FuzzSupport

// PNG and PGM images through `GrayImage.decode`, the decoding behind `GrayImage.read` and
// `digits predict` (read adds only the file).
Fuzzer.run(seeds: Seeds.all) { bytes in
    guard let image = try? GrayImage.decode(bytes, name: "input") else { return }
    // PNG is lossless: the image's own PNG decodes to the same pixels.
    precondition((try? GrayImage.decode(image.pngData(), name: "re-encoded")) == image,
                 "GrayImage: decoding its own PNG changed the image")
}
