import Datasets
import NeuralNetwork

/// The training, validation and test images of a run, cut from a data set by the settings.
public struct TrainingData: Sendable {
    public var train: ImageSet
    public var validation: ImageSet?
    public var test: ImageSet

    /// `--limit N` keeps the first N training samples; `--validation V` then moves V of them,
    /// chosen by the seed, to a validation set.
    public init(_ data: DataSet, settings: TrainingSettings) throws {
        var train = data.train
        if let limit = settings.limit, limit < train.count { train = train.prefix(limit) }
        var validation: ImageSet?
        if settings.validation > 0 {
            guard settings.validation < train.count else {
                throw TrainingError("--validation \(settings.validation) leaves no training samples out of \(train.count)")
            }
            var generator = SeededGenerator(seed: settings.seed, stream: 0x7A11)
            let order = generator.permutation(train.count)
            validation = train.subset(Array(order[..<settings.validation]).sorted())
            train = train.subset(Array(order[settings.validation...]).sorted())
        }
        guard train.count > 0 else { throw TrainingError("there are no training samples") }
        self.train = train
        self.validation = validation
        self.test = data.test
    }
}
