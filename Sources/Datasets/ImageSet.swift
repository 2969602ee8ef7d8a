#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Labelled grayscale images of one size, kept as bytes (MNIST's 60 000 training images are
/// 47 MB this way; a Float copy would be four times that, so convert per batch instead).
///
/// Image `i` is `pixels[i·featureCount ..< (i+1)·featureCount]`, row-major (row `y`, column
/// `x` at `y·width + x`), 0 = background, 255 = full ink as in the MNIST files. Its label is
/// `labels[i]`, a class index in `0..<classes`.
public struct ImageSet: Sendable, Equatable {
    /// The number of images.
    public let count: Int
    /// Rows per image.
    public let height: Int
    /// Columns per image.
    public let width: Int
    /// The number of classes; every label is below it.
    public let classes: Int
    /// count·height·width bytes, image after image.
    public let pixels: [UInt8]
    /// count labels.
    public let labels: [UInt8]

    /// Pixels per image, height·width: the number of input features of a model.
    public var featureCount: Int { height * width }

    /// An image set from its parts. Inconsistent parts are a bug and trap; file contents go
    /// through `load(images:labels:classes:)`, which throws instead.
    public init(height: Int, width: Int, classes: Int, pixels: [UInt8], labels: [UInt8]) {
        precondition(height >= 1 && width >= 1, "images have at least one row and one column")
        precondition((1...256).contains(classes), "classes must be 1...256, not \(classes)")
        precondition(pixels.count == labels.count * height * width,
                     "\(pixels.count) pixels are not \(labels.count) images of \(height)×\(width)")
        precondition(labels.allSatisfy { Int($0) < classes }, "every label must be below classes (\(classes))")
        self.init(unchecked: height, width, classes, pixels, labels)
    }

    private init(unchecked height: Int, _ width: Int, _ classes: Int, _ pixels: [UInt8], _ labels: [UInt8]) {
        self.count = labels.count
        self.height = height
        self.width = width
        self.classes = classes
        self.pixels = pixels
        self.labels = labels
    }

    /// The pixels of image `index`, a slice of `pixels` (its indices are those of `pixels`).
    public func pixels(of index: Int) -> ArraySlice<UInt8> {
        precondition(index >= 0 && index < count, "image index \(index) is outside 0..<\(count)")
        return pixels[index * featureCount ..< (index + 1) * featureCount]
    }

    /// Calls `body` with the featureCount pixels of image `index`, without copying.
    public func withPixels<R>(of index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        precondition(index >= 0 && index < count, "image index \(index) is outside 0..<\(count)")
        return try pixels.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(rebasing: all[index * featureCount ..< (index + 1) * featureCount]))
        }
    }

    /// Image `index` as a `GrayImage` with MNIST's polarity (ink high), e.g. to save as PNG.
    public func image(_ index: Int) -> GrayImage {
        GrayImage(width: width, height: height, pixels: Array(pixels(of: index)))
    }

    /// The images at `indices`, in that order (repeats allowed), with the same classes.
    public func subset(_ indices: [Int]) -> ImageSet {
        let size = featureCount
        var labels = [UInt8](repeating: 0, count: indices.count)
        let pixels = [UInt8](unsafeUninitializedCapacity: indices.count * size) { buffer, initialized in
            self.pixels.withUnsafeBufferPointer { source in
                for (k, i) in indices.enumerated() {
                    precondition(i >= 0 && i < count, "image index \(i) is outside 0..<\(count)")
                    memcpy(buffer.baseAddress! + k * size, source.baseAddress! + i * size, size)
                    labels[k] = self.labels[i]
                }
            }
            initialized = indices.count * size
        }
        return ImageSet(unchecked: height, width, classes, pixels, labels)
    }

    /// The first `n` images (all of them if `n ≥ count`), with the same classes.
    public func prefix(_ n: Int) -> ImageSet {
        precondition(n >= 0, "prefix length must not be negative")
        let kept = min(n, count)
        return ImageSet(unchecked: height, width, classes, Array(pixels[0 ..< kept * featureCount]),
                        Array(labels[0 ..< kept]))
    }

    /// How many images each class has: element c counts label c.
    public func classCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: classes)
        for label in labels { counts[Int(label)] += 1 }
        return counts
    }

    /// Loads a pair of IDX files (raw or gzip): images with 3 dimensions (count, rows,
    /// columns), labels with 1 (count).
    ///
    /// `classes`: if given (1...256), every label must be below it; if nil, it is the largest
    /// label + 1. Throws `DatasetError` for any fault in either file or between them.
    public static func load(images: String, labels: String, classes: Int? = nil) throws -> ImageSet {
        if let classes, !(1...256).contains(classes) { throw DatasetError.invalidClassCount(classes) }
        let imageArray = try IDX.read(path: images, dimensionCount: 3)
        let labelArray = try IDX.read(path: labels, dimensionCount: 1)
        guard imageArray.dimensions[0] == labelArray.dimensions[0] else {
            throw DatasetError.countMismatch(images: images, imageCount: imageArray.dimensions[0],
                                             labels: labels, labelCount: labelArray.dimensions[0])
        }
        let found = Int(labelArray.data.max() ?? 0) + 1
        let classes = classes ?? found
        if found > classes {
            let index = labelArray.data.firstIndex { Int($0) >= classes }!
            throw DatasetError.labelOutOfRange(path: labels, index: index, label: Int(labelArray.data[index]),
                                               classes: classes)
        }
        return ImageSet(unchecked: imageArray.dimensions[1], imageArray.dimensions[2], classes,
                        imageArray.data, labelArray.data)
    }

    /// The same images and labels declared with `classes` classes (e.g. the training set's
    /// count for a test set); throws `labelOutOfRange` (naming `source`) if a label does not fit.
    public func withClasses(_ classes: Int, source: String) throws -> ImageSet {
        if !(1...256).contains(classes) { throw DatasetError.invalidClassCount(classes) }
        if let index = labels.firstIndex(where: { Int($0) >= classes }) {
            throw DatasetError.labelOutOfRange(path: source, index: index, label: Int(labels[index]), classes: classes)
        }
        return ImageSet(unchecked: height, width, classes, pixels, labels)
    }
}
