import Datasets

/// The samples one computes on, as bytes, with the rule that turns them into network inputs.
///
/// Pixels stay `UInt8` (the MNIST training set is 47 MB as bytes, 188 MB as floats); each
/// micro-batch is converted when it is computed, with the course's normalisation to
/// [-1, 1]: x' = (x − 127.5) / 127.5, i.e. (x − (max + min)/2) / ((max − min)/2) for 0…255.
public enum InputEncoding {
    public static let description = "(x - 127.5) / 127.5"

    @inlinable
    public static func normalize(_ pixel: UInt8) -> Float { (Float(pixel) - 127.5) / 127.5 }

    /// Writes `positions.count` normalised rows of `images` into `input` (`[rows, features]`)
    /// and their one-hot labels into `targets` (`[rows, classes]`).
    public static func fill(input: UnsafeMutablePointer<Float>, targets: UnsafeMutablePointer<Float>,
                            from images: ImageSet, positions: some Collection<Int>) {
        let features = images.featureCount, classes = images.classes
        images.pixels.withUnsafeBufferPointer { pixels in
            var row = 0
            for p in positions {
                let source = pixels.baseAddress! + p * features
                let destination = input + row * features
                for j in 0..<features { destination[j] = normalize(source[j]) }
                let target = targets + row * classes
                target.update(repeating: 0, count: classes)
                target[Int(images.labels[p])] = 1
                row += 1
            }
        }
    }
}
