import Datasets
import NeuralNetwork
import XCTest

/// A small network that reads MNIST (784→64→10, Adam 0.005, batches of 256, 4 epochs over the
/// first 10 000 training digits, seed 1; about 94% on the test set), trained once for all
/// tests, to check that what the preprocessing makes of a photo reads as the clean digit does.
let sharedReader: Result<Network, DatasetError> = Result {
    let train = try DataSet.embeddedMNIST().train.prefix(10_000)
    // Matrices this small gain nothing from more threads, which would only spin on a shared machine.
    BLAS.threads = 1
    var network = Network(architecture: Architecture(inputs: 784, hidden: [64], outputs: 10), seed: 1)
    var optimizer = Optimizer(OptimizerConfiguration(kind: .adam, learningRate: 0.005),
                              parameterCount: network.architecture.parameterCount)
    var generator = SeededGenerator(seed: 1)
    for _ in 0..<4 {
        let order = generator.permutation(train.count)
        for start in stride(from: 0, to: order.count, by: 256) {
            let batch = order[start..<min(start + 256, order.count)]
            let x = Matrix(rows: batch.count, columns: 784, values: batch.flatMap { train.pixels(of: $0).map(InputEncoding.normalize) })
            var y = Matrix(rows: batch.count, columns: 10)
            for (row, index) in batch.enumerated() { y[row, Int(train.labels[index])] = 1 }
            let gradient = network.gradientSum(x: x, y: y).gradient
            optimizer.update(parameters: &network.parameters, gradientSum: gradient, count: batch.count)
        }
    }
    return network
}.mapError { $0 as! DatasetError }

func trainedReader(file: StaticString = #filePath, line: UInt = #line) throws -> Network {
    try value(of: sharedReader, file: file, line: line)
}

extension Network {
    /// The digit this network reads in a 28×28 image prepared as MNIST's.
    func digit(in image: GrayImage) -> Int {
        let p = predict(Matrix(rows: 1, columns: 784, values: image.pixels.map(InputEncoding.normalize))).values
        return p.indices.max { p[$0] < p[$1] }!
    }
}
