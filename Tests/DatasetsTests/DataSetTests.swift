import XCTest
@testable import Datasets

final class DataSetTests: TemporaryDirectoryTestCase {
    /// Writes a small data set of `height`×`width` images: train labels `trainLabels`, test
    /// labels `testLabels`, pixel values derived from the index; gzip for the train files.
    func writeDataSet(height: Int = 3, width: Int = 2, trainLabels: [UInt8], testLabels: [UInt8],
                      testHeight: Int? = nil) throws {
        func images(_ count: Int, _ height: Int) -> [UInt8] {
            idxBytes(sizes: [UInt32(count), UInt32(height), UInt32(width)],
                     data: (0..<count * height * width).map { UInt8($0 % 256) })
        }
        try DataFile.write(Gzip.compress(images(trainLabels.count, height)), to: directory + "/train-images-idx3-ubyte.gz")
        try DataFile.write(Gzip.compress(idxBytes(sizes: [UInt32(trainLabels.count)], data: trainLabels)),
                           to: directory + "/train-labels-idx1-ubyte.gz")
        try DataFile.write(images(testLabels.count, testHeight ?? height), to: directory + "/t10k-images-idx3-ubyte")
        try DataFile.write(idxBytes(sizes: [UInt32(testLabels.count)], data: testLabels),
                           to: directory + "/t10k-labels.idx1-ubyte")
    }

    func testLoad_SmallDirectory_TakesSizesAndClassesFromFiles() throws {
        try writeDataSet(trainLabels: [0, 4, 2, 1], testLabels: [3, 5])
        let data = try DataSet.load(directory: directory)
        XCTAssertEqual(data.name, String(directory.split(separator: "/").last!))
        XCTAssertEqual([data.train.count, data.train.height, data.train.width, data.train.featureCount], [4, 3, 2, 6])
        XCTAssertEqual(data.test.count, 2)
        // 1 + the largest label in either file.
        XCTAssertEqual(data.train.classes, 6)
        XCTAssertEqual(data.test.classes, 6)
        XCTAssertEqual(data.train.labels, [0, 4, 2, 1])
        XCTAssertEqual(Array(data.train.pixels(of: 1)), [6, 7, 8, 9, 10, 11])
        XCTAssertEqual(data.train.image(1).pixels, [6, 7, 8, 9, 10, 11])
        XCTAssertEqual(data.train.withPixels(of: 3) { Array($0) }, [18, 19, 20, 21, 22, 23])
        XCTAssertEqual(try DataSet.load(directory: directory, classes: 10).train.classes, 10)
    }

    func testLoad_LabelAboveGivenClasses_Throws() throws {
        try writeDataSet(trainLabels: [0, 1, 12, 1], testLabels: [3, 5])
        let path = directory + "/train-labels-idx1-ubyte.gz"
        assertThrows(.labelOutOfRange(path: path, index: 2, label: 12, classes: 10),
                     mentioning: [path, "label 12 at index 2", "10 classes"]) {
            try DataSet.load(directory: directory, classes: 10)
        }
        assertThrows(.invalidClassCount(300)) { try DataSet.load(directory: directory, classes: 300) }
    }

    func testLoad_CountMismatch_Throws() throws {
        try writeDataSet(trainLabels: [0, 1, 2], testLabels: [3, 5])
        let images = directory + "/t10k-images-idx3-ubyte"
        try DataFile.write(idxBytes(sizes: [3, 3, 2], data: [UInt8](repeating: 0, count: 18)), to: images)
        assertThrows(.countMismatch(images: images, imageCount: 3, labels: directory + "/t10k-labels.idx1-ubyte",
                                    labelCount: 2), mentioning: ["3 images", "2 labels", "do not belong together"]) {
            try DataSet.load(directory: directory)
        }
    }

    func testLoad_TrainAndTestSizesDiffer_Throws() throws {
        try writeDataSet(trainLabels: [0, 1], testLabels: [1], testHeight: 4)
        assertThrows(.imageSizeMismatch(trainHeight: 3, trainWidth: 2, testHeight: 4, testWidth: 2)) {
            try DataSet.load(directory: directory)
        }
    }

    func testLoad_MissingFiles_ListsWhatWasLookedFor() throws {
        try DataFile.write(idxBytes(sizes: [1], data: [0]), to: directory + "/train-labels-idx1-ubyte")
        assertThrows(.missingFiles(directory: directory, missing: [
            "train-images-idx3-ubyte[.gz]", "t10k-images-idx3-ubyte[.gz]", "t10k-labels-idx1-ubyte[.gz]",
        ]), mentioning: [directory, "t10k-images-idx3-ubyte[.gz]"]) { try DataSet.load(directory: directory) }
        let nowhere = directory + "/absent"
        assertThrows(.unreadable(path: nowhere, reason: "No such file or directory")) { try DataSet.load(directory: nowhere) }
    }

    func testSubsetAndPrefix_CopyTheRightImages() throws {
        try writeDataSet(trainLabels: [0, 4, 2, 1], testLabels: [3])
        let train = try DataSet.load(directory: directory).train
        let subset = train.subset([3, 0, 3])
        XCTAssertEqual(subset.count, 3)
        XCTAssertEqual(subset.labels, [1, 0, 1])
        XCTAssertEqual(subset.pixels, Array(train.pixels(of: 3)) + Array(train.pixels(of: 0)) + Array(train.pixels(of: 3)))
        XCTAssertEqual(subset.classes, train.classes)
        XCTAssertEqual(train.prefix(2).labels, [0, 4])
        XCTAssertEqual(train.prefix(2).pixels, Array(train.pixels[0..<12]))
        XCTAssertEqual(train.prefix(99), train)
        XCTAssertEqual(train.subset([]).count, 0)
        XCTAssertEqual(train.classCounts(), [1, 1, 1, 0, 1])
    }

    func testEmbeddedMNIST_HasStandardShape() throws {
        let mnist = try loadedMNIST()
        XCTAssertEqual(mnist.name, "mnist")
        XCTAssertEqual([mnist.train.count, mnist.test.count], [60_000, 10_000])
        XCTAssertEqual([mnist.train.height, mnist.train.width, mnist.test.height, mnist.test.width], [28, 28, 28, 28])
        XCTAssertEqual([mnist.train.classes, mnist.test.classes], [10, 10])
        XCTAssertEqual(mnist.train.pixels.count, 60_000 * 784)
        XCTAssertEqual(Array(mnist.train.labels.prefix(5)), [5, 0, 4, 1, 9])
        XCTAssertEqual(Array(mnist.test.labels.prefix(5)), [7, 2, 1, 0, 4])
        XCTAssertEqual(mnist.train.classCounts(), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
    }

    func testEmbeddedFiles_MatchPublishedChecksumsAfterDecompression() throws {
        let directory = try EmbeddedMNIST.directory()
        let expected = [
            "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        ]
        for (name, digest) in expected {
            XCTAssertEqual(SHA256.hash(try DataFile.contents(of: directory + "/" + name + ".gz")), digest, name)
        }
    }

    func testEmbeddedMNIST_Missing_ThrowsInstructions() {
        let places = [directory + "/a", directory + "/b"]
        assertThrows(.embeddedMNISTNotFound(searched: places),
                     mentioning: ["the embedded MNIST was not found: install the digits_Datasets.resources folder "
                        + "beside the digits binary, or pass --data DIR", directory + "/b"]) {
            try EmbeddedMNIST.locate(in: places)
        }
    }

    func testEmbeddedMNIST_ExtraDirectory_IsSearchedFirst() throws {
        let files = [idxBytes(sizes: [2, 1, 1], data: [1, 2]), idxBytes(sizes: [2], data: [0, 1]),
                     idxBytes(sizes: [1, 1, 1], data: [3]), idxBytes(sizes: [1], data: [1])]
        for (name, bytes) in zip(DataSet.standardFileNames, files) {
            try DataFile.write(Gzip.compress(bytes), to: directory + "/" + name + ".gz")
        }
        XCTAssertEqual(try EmbeddedMNIST.directory(searching: [directory]), directory)
        XCTAssertEqual(try DataSet.embeddedMNIST(searching: [directory]).train.count, 2)
    }
}
