import Foundation
import NeuralNetwork
import XCTest

/// Files crafted to make the loader trap or allocate without bound: each is refused with a
/// `SafeTensorsError` that names the file and the field, before anything large is allocated.
final class HostileModelFileTests: TemporaryDirectoryTestCase {
    /// Asserts that loading the model at `path` throws a `SafeTensorsError` for it whose reason
    /// mentions every fragment.
    func assertRefused(_ path: String, mentioning fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try TrainedModel(contentsOf: path), file: file, line: line) { error in
            guard let error = error as? SafeTensorsError else {
                return XCTFail("threw \(type(of: error)), not SafeTensorsError: \(error)", file: file, line: line)
            }
            XCTAssertEqual(error.source, path, file: file, line: line)
            for fragment in fragments {
                XCTAssertTrue(error.reason.contains(fragment), "reason: \(error.reason)", file: file, line: line)
            }
        }
    }

    /// A valid 4→2 model file whose metadata is then changed by `edit`.
    func model(_ name: String, edit: (inout [String: String]) -> Void = { _ in }) throws -> String {
        let network = Network(architecture: Architecture(inputs: 4, hidden: [], outputs: 2), seed: 1)
        var file = TrainedModel(network: network, imageHeight: 2, imageWidth: 2).safeTensors()
        edit(&file.metadata)
        let path = directory + "/" + name
        try file.write(to: path)
        return path
    }

    /// The JSON of a one-layer architecture with the given sizes.
    func architecture(inputs: Int, outputs: Int) -> String {
        #"{"layers":[{"activation":"softmax","inputs":\#(inputs),"outputs":\#(outputs)}],"loss":"categoricalCrossEntropy"}"#
    }

    func testLoad_ImageHeightWhoseProductOverflows_IsRefusedNamingTheField() throws {
        let path = try model("tall.safetensors") { $0["image_height"] = String(1 << 62); $0["image_width"] = "4" }
        assertRefused(path, mentioning: ["image_height", "4611686018427387904"])
    }

    func testLoad_LayerWhoseParameterCountOverflows_IsRefusedNamingTheArchitecture() throws {
        let path = try model("wide.safetensors") {
            $0["architecture"] = architecture(inputs: 1 << 32, outputs: 1 << 32)
            $0["image_height"] = String(1 << 16); $0["image_width"] = String(1 << 16)
        }
        assertRefused(path, mentioning: ["architecture", "4294967296"])
    }

    func testLoad_ArchitectureBeyondTheParameterCap_IsRefusedBeforeAllocating() throws {
        // 2^40 inputs × 64 outputs: 2^46 parameters, 256 TiB of Float32.
        let path = try model("huge.safetensors") {
            $0["architecture"] = architecture(inputs: 1 << 40, outputs: 64)
            $0["image_height"] = String(1 << 20); $0["image_width"] = String(1 << 20)
        }
        assertRefused(path, mentioning: ["architecture", "\(Architecture.maximumParameterCount)"])
    }

    func testLoad_NaNWeight_IsRefusedNamingTheFileAndTensor() throws {
        var network = Network(architecture: Architecture(inputs: 4, hidden: [3], outputs: 2), seed: 1)
        network.parameters[13] = .nan  // layer 0 holds 3·4 + 3 = 15 parameters: this is bias 1
        let path = directory + "/nan.safetensors"
        try TrainedModel(network: network, imageHeight: 2, imageWidth: 2).write(to: path)
        assertRefused(path, mentioning: ["layers.0.bias", "nan", "not finite"])
        network.parameters[13] = 0
        network.parameters[20] = -.infinity
        try TrainedModel(network: network, imageHeight: 2, imageWidth: 2).write(to: path)
        assertRefused(path, mentioning: ["layers.1.weight", "-inf"])
    }
}
