import Foundation
import NeuralNetwork
import XCTest

/// The safetensors encoder and decoder: round trips, the byte layout, and numpy as an
/// independent reader.
final class SafeTensorsTests: XCTestCase {
    func testRoundTrip_TensorsAndMetadata_DecodeToTheSame() throws {
        for seed in testSeeds {
            var generator = SeededGenerator(seed: seed)
            let file = SafeTensors(tensors: [
                .init(name: "layer0.weight", shape: [3, 4], values: generator.matrix(rows: 3, columns: 4).values),
                .init(name: "layer0.bias", shape: [3], values: generator.matrix(rows: 1, columns: 3).values),
                .init(name: "scalar", shape: [], values: [generator.nextFloat(limit: 1)]),
                .init(name: "empty", shape: [0, 5], values: []),
            ], metadata: ["architecture": "4→3 (\"softmax\")", "seed": "\(seed)"])
            let decoded = try SafeTensors(decoding: file.encoded(), source: "memory")
            XCTAssertEqual(decoded.metadata, file.metadata, "seed \(seed)")
            XCTAssertEqual(decoded.tensors, file.tensors, "seed \(seed)")
        }
    }

    func testRoundTrip_SpecialValues_KeepTheirBitPatterns() throws {
        let values: [Float] = [-0.0, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        let decoded = try SafeTensors(decoding: SafeTensors(tensors: [.init(name: "x", shape: [6], values: values)]).encoded(),
                                      source: "memory")
        // NaN ≠ NaN and −0 == 0 as values: the bits are what must survive.
        XCTAssertEqual(decoded.tensors[0].values.map(\.bitPattern), values.map(\.bitPattern))
    }

    func testRoundTrip_ThroughFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = SafeTensors(tensors: [.init(name: "w", shape: [2, 2], values: [1, 2, 3, 4])], metadata: ["k": "v"])
        try file.write(to: path)
        XCTAssertEqual(try SafeTensors(contentsOf: path), file)
    }

    func testEncoded_OneTensor_HasTheFormatsByteLayout() {
        let bytes = SafeTensors(tensors: [.init(name: "w", shape: [2], values: [1, -2])]).encoded()
        let json = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#  // 54 bytes
        let header = Array(json.utf8) + [0x20, 0x20]                           // padded to 56 = 7·8
        let expected: [UInt8] = [56, 0, 0, 0, 0, 0, 0, 0]                       // u64 little-endian length
            + header
            + [0x00, 0x00, 0x80, 0x3F]                                         // 1.0 = 0x3F800000, little-endian
            + [0x00, 0x00, 0x00, 0xC0]                                         // −2.0 = 0xC0000000
        XCTAssertEqual(bytes, expected)
    }

    func testEncoded_SeveralTensors_OffsetsAreContiguousAndHeaderPaddedToEight() throws {
        let file = SafeTensors(tensors: [.init(name: "a", shape: [3], values: [1, 2, 3]),
                                         .init(name: "b", shape: [2, 1], values: [4, 5])],
                               metadata: ["note": "x"])
        let bytes = file.encoded()
        let length = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        XCTAssertEqual(length % 8, 0)
        XCTAssertEqual(bytes.count, 8 + length + 20)
        let header = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)])) as? [String: Any])
        XCTAssertEqual((header["a"] as? [String: Any])?["data_offsets"] as? [Int], [0, 12])
        XCTAssertEqual((header["b"] as? [String: Any])?["data_offsets"] as? [Int], [12, 20])
        XCTAssertEqual((header["b"] as? [String: Any])?["shape"] as? [Int], [2, 1])
        XCTAssertEqual(header["__metadata__"] as? [String: String], ["note": "x"])
        XCTAssertTrue([0x7D, 0x20].contains(bytes[8 + length - 1]), "the header ends in } or padding spaces")
    }

    func testEncoded_SameContents_GiveSameBytes() {
        let metadata = ["b": "2", "a": "1", "c": "3"]
        let file = SafeTensors(tensors: [.init(name: "w", shape: [1], values: [1])], metadata: metadata)
        XCTAssertEqual(file.encoded(), SafeTensors(tensors: file.tensors, metadata: metadata).encoded())
    }

    func testWrittenFile_ReadByNumpyAlone_GivesSameValues() throws {
        // The first python3 on PATH that has numpy, else the system's.
        let candidates = Self.onPath("python3") + ["/usr/bin/python3", "/usr/local/bin/python3"]
        guard let python = candidates.first(where: { Self.run($0, ["-c", "import numpy"]).status == 0 }) else {
            throw XCTSkip("no python3 with numpy among \(candidates)")
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("np-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try SafeTensors(tensors: [.init(name: "w", shape: [2, 3], values: [1.5, -2, 0.25, 3e-8, 1e30, -7]),
                                  .init(name: "b", shape: [2], values: [0.1, -0.1])],
                        metadata: ["format": "pt"]).write(to: path)
        let script = """
            import json, struct, sys, numpy as np
            data = open(sys.argv[1], "rb").read()
            (n,) = struct.unpack("<Q", data[:8])
            header = json.loads(data[8:8 + n])
            for name in ("w", "b"):
                t = header[name]
                begin, end = t["data_offsets"]
                a = np.frombuffer(data[8 + n + begin:8 + n + end], dtype="<f4").reshape(t["shape"])
                print(name, t["dtype"], list(a.shape), " ".join(repr(float(v)) for v in a.ravel()))
            print("metadata", header["__metadata__"]["format"])
            """
        let run = Self.run(python, ["-c", script, path])
        XCTAssertEqual(run.status, 0, run.output)
        // Python prints the Float32 values widened to double, exactly.
        XCTAssertEqual(run.output.split(separator: "\n"), [
            "w F32 [2, 3] 1.5 -2.0 0.25 \(Double(Float(3e-8))) \(Double(Float(1e30))) -7.0",
            "b F32 [2] \(Double(Float(0.1))) \(Double(Float(-0.1)))",
            "metadata pt",
        ])
    }

    /// Every executable called `program` in the directories of PATH, in order.
    static func onPath(_ program: String) -> [String] {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        return paths.map { "\($0)/\(program)" }.filter(FileManager.default.isExecutableFile)
    }

    static func run(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        guard (try? process.run()) != nil else { return (-1, "cannot run \(executable)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
