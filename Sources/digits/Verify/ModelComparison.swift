import Datasets
import Foundation
import NeuralNetwork

/// How a model file compares with the reference, parameter by parameter. Identity is bitwise:
/// the SHA-256 is over the tensor bytes (the safetensors data after the header, whose metadata,
/// such as who trained the model, legitimately differs), and a parameter differs when its bit
/// pattern does.
struct ModelComparison: Codable, Equatable {
    /// SHA-256 of the tensor bytes, 64 hex digits.
    var sha256: String
    var parameters: Int
    var differing: Int
    /// The largest |a − b| over all parameters.
    var maxAbsoluteDifference: Double
    /// The largest distance in units in the last place: how many Float32 values lie between
    /// a and b (0 for equal values, also for +0 and −0).
    var maxULPDifference: UInt64
    /// The first parameter that differs, in file order (layers.0.weight, layers.0.bias, …).
    var first: Difference?
    /// Set when the two models cannot be compared parameter by parameter (other shapes).
    var mismatch: String?

    struct Difference: Codable, Equatable {
        var tensor: String
        /// The position in the tensor: [row, column] for a weight [outputs, inputs], [i] for a bias.
        var index: [Int]
        var reference: Float
        var value: Float

        var description: String {
            "\(tensor)[\(index.map(String.init).joined(separator: ", "))]: \(reference) in the reference, \(value) here"
        }
    }

    var identical: Bool { mismatch == nil && differing == 0 }

    enum CodingKeys: String, CodingKey {
        case sha256, parameters, differing, mismatch
        case maxAbsoluteDifference = "max_abs_difference", maxULPDifference = "max_ulp_difference", first = "first_difference"
    }

    /// Compares the model in `path` with `reference`.
    init(model path: String, reference: TrainedModel) throws {
        sha256 = SHA256.hash(try Self.tensorBytes(path))
        let model: TrainedModel
        do {
            model = try TrainedModel(contentsOf: path)
        } catch let error as SafeTensorsError {
            throw CLIError(error.description)
        }
        let a = reference.network, b = model.network
        parameters = b.parameters.count
        (differing, maxAbsoluteDifference, maxULPDifference, first, mismatch) = (0, 0, 0, nil, nil)
        guard a.architecture == b.architecture else {
            mismatch = "it is \(b.architecture.summary), the reference \(a.architecture.summary)"
            return
        }
        for (i, (x, y)) in zip(a.parameters, b.parameters).enumerated() where x.bitPattern != y.bitPattern {
            differing += 1
            maxAbsoluteDifference = max(maxAbsoluteDifference, x.isNaN || y.isNaN ? .nan : abs(Double(x) - Double(y)))
            maxULPDifference = max(maxULPDifference, Self.ulpDistance(x, y))
            if first == nil { first = Self.locate(i, in: a.architecture, reference: x, value: y) }
        }
    }

    /// The tensor bytes of a safetensors file: what follows the 8-byte header length and the header.
    static func tensorBytes(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path), data.count >= 8 else {
            throw CLIError("cannot read the model \(path)")
        }
        let bytes = [UInt8](data)
        let header = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard header <= UInt64(bytes.count - 8) else { throw CLIError("\(path) is not a safetensors file") }
        return Array(bytes[(8 + Int(header))...])
    }

    /// Float32 values between x and y, counted on the line of all floats (NaN: the most there is).
    static func ulpDistance(_ x: Float, _ y: Float) -> UInt64 {
        if x.isNaN || y.isNaN { return UInt64(UInt32.max) }
        func ordered(_ f: Float) -> Int64 {
            let bits = Int64(f.bitPattern)
            return bits & 0x8000_0000 != 0 ? -(bits & 0x7FFF_FFFF) : bits
        }
        return (ordered(x) - ordered(y)).magnitude
    }

    /// The tensor name and index of flat parameter `i`.
    static func locate(_ i: Int, in architecture: Architecture, reference: Float, value: Float) -> Difference {
        var l = 0
        while architecture.weightOffset(l) + architecture.layers[l].parameterCount <= i { l += 1 }
        let layer = architecture.layers[l]
        let offset = i - architecture.weightOffset(l)
        let weights = layer.outputs * layer.inputs
        return offset < weights
            ? Difference(tensor: TrainedModel.weightName(l), index: [offset / layer.inputs, offset % layer.inputs], reference: reference, value: value)
            : Difference(tensor: TrainedModel.biasName(l), index: [offset - weights], reference: reference, value: value)
    }
}
