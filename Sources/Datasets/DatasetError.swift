/// Everything that can be wrong with a data set or image file given to this module.
///
/// Bad input (a damaged, truncated, foreign or missing file) throws one of these; each case
/// names the file and the fault, and `description` is a sentence a user can act on.
/// Bugs in calling code (an index out of range, inconsistent sizes passed to an initialiser)
/// trap with a precondition instead.
public enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened or read (`reason` is the system's message).
    case unreadable(path: String, reason: String)
    /// The file could not be created or written (`reason` is the system's message).
    case unwritable(path: String, reason: String)
    /// The file does not start with the IDX magic `00 00 <type> <dimensions>`.
    case notIDX(path: String, firstBytes: [UInt8])
    /// The IDX type code is not 0x08 (unsigned bytes), the only one supported.
    case unsupportedType(path: String, code: UInt8)
    /// An IDX file has the wrong number of dimensions (3 for images, 1 for labels).
    case wrongDimensionCount(path: String, found: Int, expected: Int)
    /// An IDX size is 0, or the sizes multiply to more than `limit` bytes.
    case absurdDimensions(path: String, dimensions: [Int], limit: Int)
    /// The file ends before its header, or before the data the header announces (then the
    /// counts are of the data after the header).
    case truncated(path: String, expectedBytes: Int, foundBytes: Int)
    /// The file goes on after the data its header announces (counts of the data after the header).
    case trailingBytes(path: String, expectedBytes: Int, foundBytes: Int)
    /// An images file and its labels file disagree on the number of samples.
    case countMismatch(images: String, imageCount: Int, labels: String, labelCount: Int)
    /// A label is not below the number of classes.
    case labelOutOfRange(path: String, index: Int, label: Int, classes: Int)
    /// A requested number of classes outside 1...256.
    case invalidClassCount(Int)
    /// The gzip stream is damaged or truncated (`reason` comes from zlib where it has one).
    case corruptGzip(path: String, reason: String)
    /// The file (after decompression) is larger than the cap protecting memory.
    case tooLarge(path: String, limit: Int)
    /// Gzip data inflates to more than the `announcedBytes` (header included) its IDX header announces.
    case exceedsAnnouncedSize(path: String, announcedBytes: Int)
    /// A data set directory lacks some of the standard IDX files.
    case missingFiles(directory: String, missing: [String])
    /// The training and test images differ in size.
    case imageSizeMismatch(trainHeight: Int, trainWidth: Int, testHeight: Int, testWidth: Int)
    /// The embedded MNIST resource bundle was found in none of the searched directories.
    case embeddedMNISTNotFound(searched: [String])
    /// An image file is neither PNG nor PGM.
    case unknownImageFormat(path: String, firstBytes: [UInt8])
    /// An image file is damaged or truncated (`reason` comes from the decoder).
    case corruptImage(path: String, reason: String)
    /// An image is wider or taller than the cap, or has no pixels.
    case imageSizeOutOfRange(path: String, width: Int, height: Int, limit: Int)
    /// An image has nothing drawn in it.
    case noInk

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "\(path): cannot read the file: \(reason)"
        case let .unwritable(path, reason):
            return "\(path): cannot write the file: \(reason)"
        case let .notIDX(path, firstBytes):
            return "\(path): not an IDX file: it starts with \(hex(firstBytes)), an IDX file starts "
                + "with 00 00 08 <dimensions>; pass the uncompressed or .gz IDX files (e.g. MNIST's)"
        case let .unsupportedType(path, code):
            return "\(path): IDX type code \(hex([code])) (\(idxTypeName(code))) is not supported; "
                + "only 08 (unsigned bytes, as in MNIST) is"
        case let .wrongDimensionCount(path, found, expected):
            return "\(path): the IDX file has \(found) dimension\(found == 1 ? "" : "s"), expected \(expected) "
                + "(\(expected == 3 ? "images: count × rows × columns" : "labels: count")); "
                + "are the images and labels files swapped?"
        case let .absurdDimensions(path, dimensions, limit):
            return "\(path): absurd IDX dimensions \(dimensions.map(String.init).joined(separator: " × ")): "
                + "every size must be at least 1 and the data at most \(limit) bytes; the file is damaged"
        case let .truncated(path, expected, found):
            return "\(path): truncated: expected \(expected) bytes but found only \(found); "
                + "download the file again"
        case let .trailingBytes(path, expected, found):
            return "\(path): \(found - expected) unexpected bytes after the \(expected) bytes of data the "
                + "header announces; the file is damaged or not what it claims to be"
        case let .countMismatch(images, imageCount, labels, labelCount):
            return "\(images) has \(imageCount) images but \(labels) has \(labelCount) labels: "
                + "the two files do not belong together"
        case let .labelOutOfRange(path, index, label, classes):
            return "\(path): label \(label) at index \(index) is out of range: the data set has \(classes) "
                + "classes (labels 0...\(classes - 1))"
        case let .invalidClassCount(classes):
            return "the number of classes must be between 1 and 256, not \(classes)"
        case let .corruptGzip(path, reason):
            return "\(path): corrupt gzip data (\(reason)); download the file again"
        case let .tooLarge(path, limit):
            return "\(path): larger than \(limit) bytes (after decompression); refusing to load it"
        case let .exceedsAnnouncedSize(path, announcedBytes):
            return "\(path): the gzip data decompresses to more than the \(announcedBytes) bytes its IDX header announces; "
                + "the file is damaged or not what it claims to be"
        case let .missingFiles(directory, missing):
            return "\(directory): missing \(missing.joined(separator: ", ")) (looked for each name, raw or "
                + "with .gz); a data set directory holds the four IDX files of MNIST's layout"
        case let .imageSizeMismatch(trainHeight, trainWidth, testHeight, testWidth):
            return "the training images are \(trainHeight)×\(trainWidth) (rows × columns) but the test "
                + "images are \(testHeight)×\(testWidth): the files come from different data sets"
        case let .embeddedMNISTNotFound(searched):
            return "the embedded MNIST was not found: install the \(EmbeddedMNIST.bundleName) folder beside "
                + "the digits binary, or pass --data DIR (searched: \(searched.joined(separator: ", ")))"
        case let .unknownImageFormat(path, firstBytes):
            return "\(path): unknown image format (it starts with \(hex(firstBytes))); "
                + "pass a PNG or a PGM (P2 or P5) image"
        case let .corruptImage(path, reason):
            return "\(path): cannot decode the image: \(reason)"
        case let .imageSizeOutOfRange(path, width, height, limit):
            return "\(path): the image is \(width)×\(height) pixels; width and height must be 1...\(limit)"
        case .noInk:
            return "the image has no ink: draw or pass a digit"
        }
    }
}

/// Bytes as space-separated two-digit hex, e.g. `00 00 08 03`.
func hex(_ bytes: [UInt8]) -> String {
    bytes.isEmpty ? "nothing (empty file)" : bytes.map(hexDigits).joined(separator: " ")
}

/// One byte as two lowercase hex digits.
func hexDigits(_ byte: UInt8) -> String {
    byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
}

/// The element types of the IDX format, by type code.
private func idxTypeName(_ code: UInt8) -> String {
    switch code {
    case 0x08: return "unsigned byte"
    case 0x09: return "signed byte"
    case 0x0B: return "Int16"
    case 0x0C: return "Int32"
    case 0x0D: return "Float32"
    case 0x0E: return "Float64"
    default: return "unknown"
    }
}
