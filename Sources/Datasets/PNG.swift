import CPNG

/// PNG decoding and encoding through libpng's simplified API (`png_image_*`), which needs no
/// `setjmp` on our side: failures come back as a 0 result and a message in the `png_image`.
///
/// Decoding accepts every PNG colour type and bit depth (gray, gray + alpha, RGB, RGBA,
/// palette, 1…16 bits) and converts to 8-bit gray: colour by libpng's sRGB luminance
/// (Y = 0.2126 R + 0.7152 G + 0.0722 B, computed linearly), 16 bits rounded to 8, and
/// transparency composited over white, like a drawing on paper (a transparent canvas with
/// black strokes reads as black ink on white). libpng takes 16-bit samples as linear light
/// unless the file has a gAMA, sRGB or iCCP chunk, so a 16-bit mid-gray 0x8080 without one
/// becomes 186, not 128. CRC and zlib errors are errors.
enum PNG {
    /// The 8 bytes that start every PNG file.
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Decodes PNG `bytes`; `name` labels errors. The corresponding C functions are
    /// `png_image_begin_read_from_memory` and `png_image_finish_read`.
    static func decode(_ bytes: [UInt8], name: String) throws -> GrayImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        return try bytes.withUnsafeBytes { memory in
            // libpng reads from `memory` until png_image_finish_read returns, so both calls
            // stay inside this closure.
            guard png_image_begin_read_from_memory(&image, memory.baseAddress, memory.count) != 0 else {
                throw DatasetError.corruptImage(path: name, reason: "not a valid PNG: " + message(of: image))
            }
            let width = Int(image.width), height = Int(image.height)
            try GrayImage.checkSize(width: width, height: height, name: name)
            image.format = UInt32(PNG_FORMAT_GRAY)
            var pixels = [UInt8](repeating: 0, count: width * height)
            var white = png_color(red: 255, green: 255, blue: 255)
            let finished = pixels.withUnsafeMutableBytes { buffer in
                png_image_finish_read(&image, &white, buffer.baseAddress, Int32(width), nil)
            }
            guard finished != 0 else {
                throw DatasetError.corruptImage(path: name, reason: "damaged or truncated PNG: " + message(of: image))
            }
            return GrayImage(width: width, height: height, pixels: pixels)
        }
    }

    /// Encodes `image` as an 8-bit grayscale PNG. The corresponding C function is
    /// `png_image_write_to_memory`, called once for the size and once to write.
    static func encode(_ image: GrayImage) -> [UInt8] {
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        png.format = UInt32(PNG_FORMAT_GRAY)
        defer { png_image_free(&png) }
        return image.pixels.withUnsafeBytes { pixels in
            var size = 0
            let measured = png_image_write_to_memory(&png, nil, &size, 0, pixels.baseAddress, Int32(image.width), nil)
            precondition(measured != 0, "libpng could not size the PNG: \(message(of: png))")
            var bytes = [UInt8](repeating: 0, count: size)
            let written = bytes.withUnsafeMutableBytes { out in
                png_image_write_to_memory(&png, out.baseAddress, &size, 0, pixels.baseAddress, Int32(image.width), nil)
            }
            precondition(written != 0, "libpng could not write the PNG: \(message(of: png))")
            bytes.removeLast(bytes.count - size)
            return bytes
        }
    }

    /// The message libpng left in `image` (a NUL-terminated char[64]).
    private static func message(of image: png_image) -> String {
        withUnsafeBytes(of: image.message) { raw in
            let text = String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            return text.isEmpty ? "unknown libpng error" : text
        }
    }
}

extension GrayImage {
    /// The image as an 8-bit grayscale PNG file's bytes.
    public func pngData() -> [UInt8] { PNG.encode(self) }
}
