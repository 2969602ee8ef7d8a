/// Netpbm's PGM grayscale format, plain (P2, ASCII) and raw (P5, binary).
///
///     P5 <width> <height> <maxval> <one whitespace byte> <raster>
///     P2 <width> <height> <maxval> <width·height decimal values>
///
/// Tokens are separated by whitespace, and `#` starts a comment that runs to the end of the
/// line. maxval is 1…65535; P5 samples are 1 byte if maxval < 256, else 2 bytes big-endian.
/// A sample v becomes round(255·v / maxval), so 0 is black and maxval white. Anything after
/// the first image (Netpbm allows several in one file) is ignored.
enum PGM {
    static func decode(_ bytes: [UInt8], name: String) throws -> GrayImage {
        var reader = Reader(bytes: bytes, name: name)
        let plain = bytes.count >= 2 && bytes[1] == UInt8(ascii: "2")
        reader.position = 2
        let width = try reader.number("the width")
        let height = try reader.number("the height")
        let maxval = try reader.number("the maxval")
        try GrayImage.checkSize(width: width, height: height, name: name)
        guard (1...65535).contains(maxval) else { throw reader.fault("maxval \(maxval) is outside 1...65535") }
        let count = width * height
        var pixels = [UInt8](repeating: 0, count: count)
        if plain {
            for i in 0..<count {
                let value = try reader.number("pixel \(i) of \(count) (the file is truncated)")
                guard value <= maxval else { throw reader.fault("pixel \(i) is \(value), above the maxval \(maxval)") }
                pixels[i] = scaled(value, maxval)
            }
        } else {
            // Exactly one whitespace byte separates the maxval from the raster.
            let start = reader.position + 1
            let sampleSize = maxval < 256 ? 1 : 2
            let available = max(0, bytes.count - start)
            guard reader.position < bytes.count, isSpace(bytes[reader.position]), available >= count * sampleSize else {
                throw reader.fault("truncated: expected \(count * sampleSize) bytes of pixels after the header, found \(available)")
            }
            for i in 0..<count {
                let at = start + i * sampleSize
                let value = sampleSize == 1 ? Int(bytes[at]) : Int(bytes[at]) << 8 | Int(bytes[at + 1])
                guard value <= maxval else { throw reader.fault("pixel \(i) is \(value), above the maxval \(maxval)") }
                pixels[i] = scaled(value, maxval)
            }
        }
        return GrayImage(width: width, height: height, pixels: pixels)
    }

    /// round(255·v / maxval) in integers.
    private static func scaled(_ value: Int, _ maxval: Int) -> UInt8 {
        UInt8((value * 255 + maxval / 2) / maxval)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    /// Reads the header's and P2's decimal tokens.
    private struct Reader {
        let bytes: [UInt8]
        let name: String
        var position = 0

        func fault(_ reason: String) -> DatasetError {
            .corruptImage(path: name, reason: "PGM: " + reason)
        }

        /// Skips whitespace and comments, then reads a decimal number (at most 9 digits).
        mutating func number(_ what: String) throws -> Int {
            while position < bytes.count {
                if isSpace(bytes[position]) {
                    position += 1
                } else if bytes[position] == UInt8(ascii: "#") {
                    while position < bytes.count && bytes[position] != 0x0A && bytes[position] != 0x0D { position += 1 }
                } else {
                    break
                }
            }
            var value = 0, digits = 0
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                value = value * 10 + Int(bytes[position] - UInt8(ascii: "0"))
                digits += 1
                position += 1
                guard digits <= 9 else { throw fault("a number in the file is absurdly long") }
            }
            guard digits > 0 else { throw fault("missing \(what): expected a decimal number") }
            return value
        }
    }
}
