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
