import Datasets

/// The data set of `--data DIR`, or the embedded MNIST without it, with a data-set error
/// turned into a message for the user. Shared by every command that reads data.
func loadDataSet(_ directory: String?) throws -> DataSet {
    do {
        if let directory { return try DataSet.load(directory: directory) }
        return try DataSet.embeddedMNIST()
    } catch let error as DatasetError {
        throw CLIError(error.description)
    }
}
