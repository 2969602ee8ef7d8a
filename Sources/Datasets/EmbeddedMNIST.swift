#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Finds MNIST as shipped inside the package: the four `.gz` IDX files in the `mnist`
/// folder of the `Datasets` target's resource bundle.
///
/// SwiftPM copies that bundle next to the built executable as `digits_Datasets.resources`
/// (Linux) or `digits_Datasets.bundle` (macOS). Its generated `Bundle.module` would call
/// `fatalError` if the bundle has not been installed with the binary, so this module never
/// uses it: it looks for the bundle itself, in this order,
///
/// 1. in each directory passed in `extraDirectories` (the directory may be the bundle's
///    parent, the bundle, or the `mnist` folder itself);
/// 2. beside the running executable, symlinks resolved (`/proc/self/exe` on Linux), so a
///    symlink in `/usr/local/bin` to an installed `digits` works;
/// 3. beside `Bundle.main`'s path (the executable's directory as invoked, and on macOS the
///    app's resources);
///
/// and throws `DatasetError.embeddedMNISTNotFound` (listing where it looked) if none has it:
/// "the embedded MNIST was not found: install the digits_Datasets.resources folder beside the
/// digits binary, or pass --data DIR". Under `swift test` the test binary sits in the build
/// directory beside the bundle, so step 2 finds it.
public enum EmbeddedMNIST {
    /// The resource bundle's name on Linux.
    public static let bundleName = "digits_Datasets.resources"

    /// The directory that holds the embedded MNIST files.
    public static func directory(searching extraDirectories: [String] = []) throws -> String {
        try locate(in: candidates(extraDirectories: extraDirectories))
    }

    /// The directories that may hold the files, most specific first, without repeats.
    static func candidates(extraDirectories: [String]) -> [String] {
        var result: [String] = []
        func add(_ path: String) { if !result.contains(path) { result.append(path) } }
        func addBundle(beside base: String) {
            add(base + "/" + bundleName + "/mnist")
            add(base + "/digits_Datasets.bundle/Contents/Resources/mnist")
            add(base + "/digits_Datasets.bundle/mnist")
        }
        for directory in extraDirectories {
            add(directory)
            add(directory + "/mnist")
            addBundle(beside: directory)
        }
        if let executable = realpath("/proc/self/exe", nil) {
            let path = String(cString: executable)
            free(executable)
            addBundle(beside: parent(of: path))
        }
        addBundle(beside: Bundle.main.bundlePath)
        if let resources = Bundle.main.resourcePath { addBundle(beside: resources) }
        return result
    }

    /// The first candidate that holds all four files.
    static func locate(in candidates: [String]) throws -> String {
        for directory in candidates {
            let complete = DataSet.standardFileNames.allSatisfy { base in
                var status = stat()
                return stat(directory + "/" + base + ".gz", &status) == 0
            }
            if complete { return directory }
        }
        throw DatasetError.embeddedMNISTNotFound(searched: candidates)
    }

    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

extension DataSet {
    /// MNIST as embedded in the package: 60 000 training and 10 000 test images of 28×28,
    /// 10 classes. See `EmbeddedMNIST` for where the files are looked for and the error
    /// thrown when they are missing; `extraDirectories` are searched first.
    public static func embeddedMNIST(searching extraDirectories: [String] = []) throws -> DataSet {
        try load(directory: EmbeddedMNIST.directory(searching: extraDirectories), name: "mnist")
    }
}
