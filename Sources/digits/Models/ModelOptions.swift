import ArgumentParser
import DataParallel
import Datasets
import NeuralNetwork

/// `--model FILE`, loaded with an error a user can act on.
struct ModelOption: ParsableArguments {
    @Option(help: ArgumentHelp("A model written by `digits train` (safetensors).", valueName: "file"))
    var model: String = "model.safetensors"

    func load() throws -> TrainedModel {
        do {
            return try TrainedModel(contentsOf: model)
        } catch let error as SafeTensorsError {
            throw CLIError(error.description)
        }
    }
}

extension TrainedModel {
    /// Class probabilities for one image of the model's size (pixels 0…255, ink high).
    func probabilities(_ pixels: [UInt8]) -> [Float] {
        precondition(pixels.count == network.architecture.inputs, "image size does not match the model")
        let input = Matrix(rows: 1, columns: pixels.count, values: pixels.map(InputEncoding.normalize))
        return network.predict(input).values
    }
}
