import Datasets
import NeuralNetwork

extension InputEncoding {
    /// Writes `positions.count` normalised rows of `images` into `input` (`[rows, features]`)
    /// and their one-hot labels into `targets` (`[rows, classes]`). With `augment`, row k is
    /// the sample's variant, `augment.variant(k, of:)`, instead.
    /// Returns a byte that depends on the cache-warming loads, for the caller to keep, so that
    /// they are not optimised away.
    @discardableResult
    public static func fill(input: UnsafeMutablePointer<Float>, targets: UnsafeMutablePointer<Float>,
                            from images: ImageSet, positions: some Collection<Int>,
                            augment: Augmentation.MicroBatch? = nil) -> UInt8 {
        let features = images.featureCount, classes = images.classes
        let scale = Self.scale
        return images.pixels.withUnsafeBufferPointer { pixels in
            // The samples lie at random places in 47 MB: touch every cache line of them first,
            // so that the misses overlap instead of stalling the conversion one by one.
            var touched: UInt8 = 0
            for p in positions {
                let source = pixels.baseAddress! + p * features
                for offset in stride(from: 0, to: features, by: 64) { touched &+= source[offset] }
            }
            var row = 0
            for p in positions {
                let sample = pixels.baseAddress! + p * features
                let source = augment?.variant(row, of: sample) ?? sample
                let destination = input + row * features
                for j in 0..<features { destination[j] = Float(source[j]) * scale }
                let target = targets + row * classes
                target.update(repeating: 0, count: classes)
                target[Int(images.labels[p])] = 1
                row += 1
            }
            return touched
        }
    }
}
