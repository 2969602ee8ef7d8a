#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A named pair of training and test image sets of the same image size and classes.
public struct DataSet: Sendable, Equatable {
    /// A label for reports, e.g. "mnist" or the directory's name.
    public let name: String
    public let train: ImageSet
    public let test: ImageSet

    /// Pairs two image sets; they must have the same image size and classes (a bug otherwise:
    /// files go through `load(directory:)`, which throws).
    public init(name: String, train: ImageSet, test: ImageSet) {
        precondition(train.height == test.height && train.width == test.width,
                     "train images are \(train.height)×\(train.width), test images \(test.height)×\(test.width)")
        precondition(train.classes == test.classes, "train has \(train.classes) classes, test \(test.classes)")
        self.name = name
        self.train = train
        self.test = test
    }

    /// The four standard file names of MNIST's layout (each read raw or with `.gz`).
    public static let standardFileNames = [
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
    ]

    /// Loads an IDX data set from `directory`: MNIST, Fashion-MNIST, KMNIST, EMNIST-digits or
    /// any other in the same layout.
    ///
    /// Looks for `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`
    /// and `t10k-labels-idx1-ubyte`, each raw, with `.gz`, or with a dot before `idx`
    /// (`train-images.idx3-ubyte`, as some mirrors name them); gzip is detected by content.
    /// The image size comes from the files (train and test must agree). The number of
    /// classes is `classes` if given (every label must be below it), otherwise 1 + the
    /// largest label in either labels file. `name` defaults to the directory's last component.
    public static func load(directory: String, name: String? = nil, classes: Int? = nil) throws -> DataSet {
        var status = stat()
        guard stat(directory, &status) == 0 else {
            throw DatasetError.unreadable(path: directory, reason: systemMessage(errno))
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw DatasetError.unreadable(path: directory, reason: "not a directory; pass the directory of the IDX files")
        }
        var paths: [String] = []
        var missing: [String] = []
        for base in standardFileNames {
            if let path = find(base, in: directory) { paths.append(path) } else { missing.append(base + "[.gz]") }
        }
        guard missing.isEmpty else { throw DatasetError.missingFiles(directory: directory, missing: missing) }

        var train = try ImageSet.load(images: paths[0], labels: paths[1], classes: classes)
        var test = try ImageSet.load(images: paths[2], labels: paths[3], classes: classes)
        guard train.height == test.height && train.width == test.width else {
            throw DatasetError.imageSizeMismatch(trainHeight: train.height, trainWidth: train.width,
                                                 testHeight: test.height, testWidth: test.width)
        }
        if classes == nil {
            let common = max(train.classes, test.classes)
            train = try train.withClasses(common, source: paths[1])
            test = try test.withClasses(common, source: paths[3])
        }
        return DataSet(name: name ?? lastComponent(of: directory), train: train, test: test)
    }

    /// The first existing spelling of `base` in `directory`, raw before gzip.
    private static func find(_ base: String, in directory: String) -> String? {
        let dotted = base.replacing("-idx", with: ".idx", maxReplacements: 1)
        for candidate in [base, base + ".gz", dotted, dotted + ".gz"] {
            let path = directory.hasSuffix("/") ? directory + candidate : directory + "/" + candidate
            var status = stat()
            if stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFREG { return path }
        }
        return nil
    }

    private static func lastComponent(of directory: String) -> String {
        let trimmed = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        return trimmed.split(separator: "/").last.map(String.init) ?? trimmed
    }
}
