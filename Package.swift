// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "digits",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "digits", targets: ["digits"]),
        // The drawing page's HTTP server, apart so that building the trainer does not wait
        // for swift-nio and Hummingbird; `digits serve` runs it (and builds it on first use).
        .executable(name: "digits-serve", targets: ["DigitsServe"]),
        .library(name: "NeuralNetwork", targets: ["NeuralNetwork"]),
        .library(name: "ZeroMQ", targets: ["ZeroMQ"]),
        .library(name: "DataParallel", targets: ["DataParallel"]),
        // For the fuzz targets in Fuzz/, a package of their own (libFuzzer's entry point
        // cannot link into the normal builds).
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "DigitReading", targets: ["DigitReading"]),
        .library(name: "DrawServer", targets: ["DrawServer"]),
        .library(name: "LiveView", targets: ["LiveView"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
    ],
    targets: [
        // System libraries. libzmq's .pc file adds a prohibited "-isystem" flag that makes every
        // build print a warning; without pkgConfig the header and library are still found.
        .systemLibrary(name: "CZeroMQ", providers: [.apt(["libzmq3-dev"]), .brew(["zeromq"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),

        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"]),
        .target(name: "NeuralNetwork", dependencies: ["CBLAS"]),
        .target(name: "Datasets", dependencies: ["CZlib", "CPNG"], resources: [.copy("Resources/mnist")]),
        .target(name: "Plots"),
        .target(name: "DataParallel", dependencies: ["NeuralNetwork", "Datasets", "ZeroMQ", "Plots"]),
        // The one path from an image to a digit: `digits predict` and the drawing page.
        .target(name: "DigitReading", dependencies: ["Datasets", "NeuralNetwork"]),
        .target(name: "DrawServer", dependencies: [
            "Datasets", "NeuralNetwork", "DigitReading",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The live view of a run (`--dashboard`): follows the coordinator's feed, serves the
        // page and GET /metrics. In digits-serve, so that the trainer stays free of HTTP.
        .target(name: "LiveView", dependencies: [
            "DataParallel", "DrawServer", "Plots",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .executableTarget(name: "DigitsServe", dependencies: ["DrawServer", "LiveView", "DataParallel", "NeuralNetwork"]),
        .executableTarget(name: "digits", dependencies: [
            "NeuralNetwork", "Datasets", "DataParallel", "ZeroMQ", "Plots", "DigitReading",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "NeuralNetworkTests", dependencies: ["NeuralNetwork"]),
        // NeuralNetwork for a model that reads the cleaned-up photos, and its seeded generator.
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "NeuralNetwork"]),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"]),
        .testTarget(name: "PlotsTests", dependencies: ["Plots"]),
        .testTarget(name: "DataParallelTests", dependencies: ["DataParallel", "NeuralNetwork", "Datasets", "ZeroMQ"]),
        .testTarget(name: "DigitsTests", dependencies: ["NeuralNetwork", "Datasets"]),
        // Not HummingbirdTesting: it brings AsyncHTTPClient, NIOSSL/BoringSSL and swift-crypto,
        // most of a test build's time. The tests talk to the real server with a small client of their own.
        .testTarget(name: "DrawServerTests", dependencies: [
            "DrawServer", "DigitReading", "NeuralNetwork", "Datasets",
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),
        .testTarget(name: "LiveViewTests", dependencies: [
            "LiveView", "DataParallel", "DrawServer",
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),
    ]
)
