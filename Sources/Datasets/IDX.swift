/// An n-dimensional array of unsigned bytes read from an IDX file.
public struct IDXArray: Sendable, Equatable {
    /// The sizes, outermost first (for MNIST images: count, rows, columns).
    public let dimensions: [Int]
    /// The elements in row-major order (the last index varies fastest).
    public let data: [UInt8]

    public init(dimensions: [Int], data: [UInt8]) {
        precondition(!dimensions.isEmpty && dimensions.count <= 255, "an IDX array has 1...255 dimensions")
        precondition(dimensions.allSatisfy { $0 >= 1 && $0 <= Int(UInt32.max) }, "IDX sizes are 1...2^32-1")
        precondition(dimensions.reduce(1, *) == data.count, "data.count must be the product of the dimensions")
        self.dimensions = dimensions
        self.data = data
    }
}

/// The IDX file format of MNIST and its relatives (Fashion-MNIST, KMNIST, EMNIST).
///
/// Layout, all integers big-endian:
///
///     offset 0   2 bytes    00 00
///     offset 2   1 byte     type code: 08 = unsigned byte (the only type supported here;
///                           09 signed byte, 0B Int16, 0C Int32, 0D Float32, 0E Float64 are refused)
///     offset 3   1 byte     n, the number of dimensions
///     offset 4   4·n bytes  the sizes d₁ … dₙ as UInt32
///     offset 4+4n           d₁·d₂·…·dₙ elements, row-major, and nothing after them
///
/// Every size must be ≥ 1 and the product at most `maximumDataBytes`; this is checked
/// before anything is allocated. Files may be gzip-compressed (detected by content).
public enum IDX {
    /// The cap on the data of one file: 2 GiB.
    public static let maximumDataBytes = 1 << 31

    /// Reads the IDX file at `path`, raw or gzip, expecting `dimensionCount` dimensions
    /// if given (3 for images, 1 for labels).
    ///
    /// The header comes first, raw or in the decompressed stream, and caps what is read: a raw
    /// file whose size disagrees with it is refused before the rest is read, and gzip data is
    /// inflated no further than the header's 4 + 4·n + d₁·…·dₙ bytes.
    public static func read(path: String, dimensionCount: Int? = nil) throws -> IDXArray {
        let bytes = try DataFile.contents(of: path, limit: maximumDataBytes + 4 + 4 * 255) { prefix, storedSize in
            try announcedSize(of: prefix, storedSize: storedSize, name: path, dimensionCount: dimensionCount)
        }
        return try parse(bytes, name: path, dimensionCount: dimensionCount)
    }

    /// The whole size `prefix` announces (header and data), or nil while it holds less than the
    /// header. With `storedSize` (a raw file), a file of another size is refused at once, as
    /// `parse` would refuse it after reading it all.
    static func announcedSize(of prefix: [UInt8], storedSize: Int?, name: String, dimensionCount: Int?) throws -> Int? {
        guard prefix.count >= 4, prefix.count >= 4 + 4 * Int(prefix[3]) else { return nil }
        let (dimensions, headerSize) = try header(of: prefix, name: name, dimensionCount: dimensionCount)
        let expected = dimensions.reduce(1, *)
        if let storedSize {
            let found = storedSize - headerSize
            if found < expected { throw DatasetError.truncated(path: name, expectedBytes: expected, foundBytes: found) }
            if found > expected { throw DatasetError.trailingBytes(path: name, expectedBytes: expected, foundBytes: found) }
        }
        return headerSize + expected
    }

    /// Parses the bytes of an (uncompressed) IDX file; `name` labels errors.
    public static func parse(_ bytes: consuming [UInt8], name: String, dimensionCount: Int? = nil) throws -> IDXArray {
        let (dimensions, headerSize) = try header(of: bytes, name: name, dimensionCount: dimensionCount)
        let expected = dimensions.reduce(1, *)
        let found = bytes.count - headerSize
        if found < expected { throw DatasetError.truncated(path: name, expectedBytes: expected, foundBytes: found) }
        if found > expected { throw DatasetError.trailingBytes(path: name, expectedBytes: expected, foundBytes: found) }
        var data = consume bytes
        data.removeFirst(headerSize)
        return IDXArray(dimensions: dimensions, data: data)
    }

    /// The bytes of an IDX file holding `array` with type code 08.
    public static func encode(_ array: IDXArray) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 0x08, UInt8(array.dimensions.count)]
        bytes.reserveCapacity(4 + 4 * array.dimensions.count + array.data.count)
        for size in array.dimensions {
            bytes += [UInt8(truncatingIfNeeded: size >> 24), UInt8(truncatingIfNeeded: size >> 16),
                      UInt8(truncatingIfNeeded: size >> 8), UInt8(truncatingIfNeeded: size)]
        }
        bytes += array.data
        return bytes
    }

    /// Validates the magic, type code and sizes; returns the sizes and the header length.
    private static func header(of bytes: [UInt8], name: String, dimensionCount: Int?) throws -> ([Int], Int) {
        guard bytes.count >= 4 else {
            if bytes.count >= 2 && (bytes[0] != 0 || bytes[1] != 0) {
                throw DatasetError.notIDX(path: name, firstBytes: Array(bytes))
            }
            throw DatasetError.truncated(path: name, expectedBytes: 4, foundBytes: bytes.count)
        }
        guard bytes[0] == 0, bytes[1] == 0 else { throw DatasetError.notIDX(path: name, firstBytes: Array(bytes[0..<4])) }
        guard bytes[2] == 0x08 else { throw DatasetError.unsupportedType(path: name, code: bytes[2]) }
        let count = Int(bytes[3])
        if let expected = dimensionCount, count != expected {
            throw DatasetError.wrongDimensionCount(path: name, found: count, expected: expected)
        }
        let headerSize = 4 + 4 * count
        guard bytes.count >= headerSize else {
            throw DatasetError.truncated(path: name, expectedBytes: headerSize, foundBytes: bytes.count)
        }
        var dimensions: [Int] = []
        var product = 1
        var absurd = count == 0
        for i in 0..<count {
            let at = 4 + 4 * i
            let size = Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
            dimensions.append(size)
            // size < 2^32 and product ≤ 2^31 before the multiplication, so it cannot overflow.
            if !absurd { product *= size }
            if size == 0 || product > maximumDataBytes { absurd = true }
        }
        if absurd { throw DatasetError.absurdDimensions(path: name, dimensions: dimensions, limit: maximumDataBytes) }
        return (dimensions, headerSize)
    }
}
