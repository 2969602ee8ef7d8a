import Datasets
import NeuralNetwork

/// How well a network reads a set of images: accuracy, loss, and the confusion matrix.
public struct Evaluation: Equatable, Sendable {
    /// confusion[true][predicted] counts.
    public var confusion: [[Int]]
    public var lossSum: Double
    /// The predicted class of every image, in order.
    public var predictions: [Int]
    /// Every image's probabilities (`[count, classes]`), when asked for (`keepingProbabilities`).
    public var probabilities: [Float] = []

    public var count: Int { predictions.count }
    public var correct: Int { confusion.indices.reduce(0) { $0 + confusion[$1][$1] } }
    public var accuracy: Double { count == 0 ? 0 : Double(correct) / Double(count) }
    public var meanLoss: Double { count == 0 ? 0 : lossSum / Double(count) }

    /// Precision of class c: correct c ÷ predicted c (0 when never predicted).
    public func precision(_ c: Int) -> Double {
        let predicted = confusion.reduce(0) { $0 + $1[c] }
        return predicted == 0 ? 0 : Double(confusion[c][c]) / Double(predicted)
    }

    /// Recall of class c: correct c ÷ true c (0 when absent).
    public func recall(_ c: Int) -> Double {
        let actual = confusion[c].reduce(0, +)
        return actual == 0 ? 0 : Double(confusion[c][c]) / Double(actual)
    }

    /// Runs the network over `images` in chunks of `chunk` samples, calling `between` after
    /// each chunk (a coordinator keeps its workers' heartbeats going there).
    public init(network: Network, images: ImageSet, chunk: Int = 500, keepingProbabilities: Bool = false, between: () -> Void = {}) {
        let architecture = network.architecture
        precondition(architecture.inputs == images.featureCount && architecture.outputs == images.classes,
                     "the network (\(architecture.summary)) does not fit these images")
        let classes = images.classes
        confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        predictions = []
        predictions.reserveCapacity(images.count)
        lossSum = 0
        guard images.count > 0 else { return }
        let rows = min(chunk, images.count)
        let workspace = Workspace(architecture: architecture, capacity: rows)
        var input = [Float](repeating: 0, count: rows * images.featureCount)
        var targets = [Float](repeating: 0, count: rows * classes)
        var start = 0
        while start < images.count {
            let n = min(rows, images.count - start)
            input.withUnsafeMutableBufferPointer { x in
                targets.withUnsafeMutableBufferPointer { y in
                    InputEncoding.fill(input: x.baseAddress!, targets: y.baseAddress!, from: images, positions: start..<(start + n))
                    network.parameters.withUnsafeBufferPointer { p in
                        lossSum += architecture.lossSum(parameters: p.baseAddress!, input: x.baseAddress!, targets: y.baseAddress!,
                                                        rows: n, workspace: workspace).lossSum
                    }
                }
            }
            let output = workspace.output(rows: n)
            if keepingProbabilities { probabilities.append(contentsOf: UnsafeBufferPointer(start: output, count: n * classes)) }
            for r in 0..<n {
                let predicted = Architecture.argmax(output + r * classes, classes)
                predictions.append(predicted)
                confusion[Int(images.labels[start + r])][predicted] += 1
            }
            start += n
            between()
        }
    }
}
