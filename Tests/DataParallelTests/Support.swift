import Datasets
import NeuralNetwork
import XCTest
@testable import DataParallel

/// A small learnable image set: 8×8 images, 4 classes; class c has a bright c-th quadrant.
func syntheticImages(count: Int, seed: UInt64) -> ImageSet {
    var g = SeededGenerator(seed: seed)
    var pixels = [UInt8](repeating: 0, count: count * 64)
    var labels = [UInt8](repeating: 0, count: count)
    for i in 0..<count {
        let c = g.next(below: 4)
        labels[i] = UInt8(c)
        for y in 0..<8 {
            for x in 0..<8 {
                let quadrant = (y / 4) * 2 + x / 4
                let base = quadrant == c ? 150 : 20
                pixels[i * 64 + y * 8 + x] = UInt8(base + g.next(below: 100))
            }
        }
    }
    return ImageSet(height: 8, width: 8, classes: 4, pixels: pixels, labels: labels)
}

/// Trains in one process with `threads` in-process workers; returns the final parameters.
func trainLocally(_ settings: TrainingSettings, images: ImageSet, threads: Int) throws -> [Float] {
    let plan = Plan(settings: settings, sampleCount: images.count)
    let architecture = settings.architecture(inputs: images.featureCount, classes: images.classes)
    let executor = LocalExecutor(plan: plan, architecture: architecture, images: images, threads: threads)
    let trainer = Trainer(plan: plan, network: Network(architecture: architecture, seed: settings.seed), executor: executor)
    while !trainer.isFinished { _ = try trainer.step() }
    return trainer.network.parameters
}

/// Bitwise equality of two Float arrays: this is the property under test, so no tolerance.
func XCTAssertBitwiseEqual(_ a: [Float], _ b: [Float], _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "lengths differ. \(message)", file: file, line: line)
    let differing = zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count
    XCTAssertEqual(differing, 0, "\(differing) of \(a.count) values differ in their bits. \(message)", file: file, line: line)
}
