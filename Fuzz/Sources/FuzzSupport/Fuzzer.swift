import CLibFuzzer
import Foundation

/// A fuzz target's main: hands the target's test to libFuzzer, which calls it once per input
/// and reports any input that makes it trap (a failed precondition, an overflow, an index out
/// of range; with `-sanitize=address`, also a bad access through an unsafe pointer).
///
/// A test that returns has accepted the input, whether the decoder under test threw or not:
/// throwing is how decoders refuse input. Properties that must hold for every input the
/// decoder accepts (decoding what it encoded gives it back) are checked with `precondition`,
/// so that a broken one is reported like a crash.
public enum Fuzzer {
    /// The test of the running target: set once by `run`, before libFuzzer starts.
    nonisolated(unsafe) static var test: ([UInt8]) -> Void = { _ in }

    /// Runs libFuzzer with the process's arguments (its `-flags`, then corpus directories or
    /// inputs to run once) and exits with its status. With the extra flag `-write_seeds=DIR`,
    /// writes `seeds` (file name → bytes, valid inputs made with the project's own encoders)
    /// into DIR instead and exits.
    public static func run(seeds: () throws -> [String: [UInt8]], _ test: @escaping ([UInt8]) -> Void) -> Never {
        let flag = "-write_seeds="
        if let argument = CommandLine.arguments.dropFirst().first(where: { $0.hasPrefix(flag) }) {
            do {
                try write(seeds(), to: String(argument.dropFirst(flag.count)))
                exit(0)
            } catch {
                FileHandle.standardError.write(Data("cannot write the seeds: \(error)\n".utf8))
                exit(1)
            }
        }
        Self.test = test
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
    }

    private static func write(_ seeds: [String: [UInt8]], to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, bytes) in seeds {
            try Data(bytes).write(to: URL(fileURLWithPath: directory).appendingPathComponent(name))
        }
    }
}

/// The entry point libFuzzer's own (unused) main refers to, so it must exist; `run` passes it
/// to the driver.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    Fuzzer.test(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
