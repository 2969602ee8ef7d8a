/// Small PNG files of any colour type and bit depth, for seeds: the project's own encoder
/// writes 8-bit gray only, and libpng's other paths (palette, alpha, 16 bits, interlacing,
/// gamma) deserve seeds too. The image data is stored uncompressed (deflate's stored blocks),
/// so a seed's bytes are the scanlines as written.
public enum SeedPNG {
    public enum ColorType: UInt8 {
        case gray = 0, rgb = 2, palette = 3, grayAlpha = 4, rgba = 6
    }

    /// A PNG file: IHDR, then `chunks` (e.g. PLTE, tRNS, gAMA) in order, then one IDAT holding
    /// `scanlines` (each row a filter-type byte then its samples; for interlaced images, the
    /// seven passes' rows in turn), then IEND.
    public static func file(width: Int, height: Int, bitDepth: UInt8, colorType: ColorType, interlaced: Bool = false,
                            chunks: [(type: String, data: [UInt8])] = [], scanlines: [UInt8]) -> [UInt8] {
        var ihdr = bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        ihdr += [bitDepth, colorType.rawValue, 0, 0, interlaced ? 1 : 0]
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        bytes += chunk("IHDR", ihdr)
        for c in chunks { bytes += chunk(c.type, c.data) }
        bytes += chunk("IDAT", zlibStored(scanlines))
        bytes += chunk("IEND", [])
        return bytes
    }

    /// A chunk: length, type, data, and the CRC-32 of type and data.
    public static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
    }

    /// `bytes` with the CRC of every whole chunk after the PNG signature recomputed, so that a
    /// mutation inside a chunk reaches the decoder instead of failing its CRC check.
    public static func fixingCRCs(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        var at = 8
        while at + 12 <= out.count {
            let length = out[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) }
            guard length <= out.count - at - 12 else { break }
            let crc = bigEndian(crc32(Array(out[(at + 4)..<(at + 8 + length)])))
            out.replaceSubrange((at + 8 + length)..<(at + 12 + length), with: crc)
            at += 12 + length
        }
        return out
    }

    /// A zlib stream (RFC 1950) of one stored deflate block (RFC 1951), at most 65535 bytes.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        precondition(data.count <= 0xFFFF, "one stored block holds at most 65535 bytes")
        let length = UInt16(data.count)
        var out: [UInt8] = [0x78, 0x01, 0x01]
        out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
        out += data
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        return out + bigEndian(b << 16 | a)
    }

    /// CRC-32 (ISO 3309, polynomial 0xEDB88320 reflected), bit by bit: seeds are small.
    static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }
}
