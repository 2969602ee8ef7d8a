import Datasets
import DigitReading
import DrawServer
import Foundation
import FuzzSupport

// `POST /api/predict` bodies through `DrawingDecoder.image(body:contentType:)`, with the
// server's limits, then `MNISTPreprocessing.prepare` as the server does before the network.
// Byte 0 chooses the Content-Type header (bits 1–7) and whether the body's PNG chunk CRCs
// are recomputed here (bit 0, as in the image target); the rest is the body.
let decoder = DrawingDecoder(bodyLimit: DrawServer.defaultBodyLimit, maximumSide: DrawServer.defaultMaximumSide)
let contentTypes: [String?] = ["image/png", "application/json", "application/json; charset=utf-8", " Image/PNG ;x=1", nil, "text/plain"]

Fuzzer.run(seeds: Seeds.all) { bytes in
    var input = FuzzInput(bytes)
    let control = input.byte()
    let contentType = contentTypes[Int(control >> 1) % contentTypes.count]
    let body = control & 1 == 1 ? SeedPNG.fixingCRCs(input.rest()) : input.rest()
    guard let image = try? decoder.image(body: body, contentType: contentType) else { return }
    _ = try? MNISTPreprocessing.prepare(image)
}

/// Drawings as the page sends them (PNG) and as a script would (JSON), a PNG too large for
/// the server, and JSON that is subtly wrong.
enum Seeds {
    static func all() throws -> [String: [UInt8]] {
        var pixels = [Int](repeating: 255, count: 36)
        for i in [8, 14, 20, 26] { pixels[i] = 0 }
        let drawing = Drawing(width: 6, height: 6, pixels: pixels)
        let json = try JSONEncoder().encode(drawing)
        let image = GrayImage(width: 6, height: 6, pixels: pixels.map { UInt8($0) })
        let tooWide = SeedPNG.file(width: 4096, height: 1, bitDepth: 1, colorType: .gray, scanlines: [0] + [UInt8](repeating: 0, count: 512))
        return [
            "drawing.png": [1] + image.pngData(),
            "drawing.json": [2] + json,
            "drawing-charset.json": [4] + json,
            "too-wide.png": [7] + tooWide,
            "wrong-count.json": [2] + Array(#"{"width":2,"height":2,"pixels":[0,255,0]}"#.utf8),
            "out-of-range.json": [2] + Array(#"{"width":1,"height":2,"pixels":[-1,256]}"#.utf8),
            "no-content-type": [8] + json,
        ]
    }
}
