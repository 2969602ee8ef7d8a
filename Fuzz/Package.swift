// swift-tools-version:6.0
import PackageDescription

// Fuzz targets for the decoders of outside input, one executable each, built with libFuzzer:
//
//     swift build --package-path Fuzz --scratch-path .build-fuzz -c release \
//         -Xswiftc -sanitize=fuzzer,address
//
// A package of its own so that libFuzzer's entry point never links into the normal builds.
// `Scripts/fuzz` builds and runs them; Fuzz/README.md says what each one feeds where.
let package = Package(
    name: "digits-fuzz",
    dependencies: [.package(name: "digits", path: "..")],
    targets: [
        // libFuzzer's driver entry point (it is in the toolchain's libclang_rt.fuzzer).
        .systemLibrary(name: "CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"]),
        .executableTarget(name: "safetensors", dependencies: [
            "FuzzSupport",
            .product(name: "NeuralNetwork", package: "digits"),
            .product(name: "DataParallel", package: "digits"),
        ]),
        .executableTarget(name: "idx", dependencies: ["FuzzSupport", .product(name: "Datasets", package: "digits")]),
        .executableTarget(name: "image", dependencies: ["FuzzSupport", .product(name: "Datasets", package: "digits")]),
        .executableTarget(name: "wire", dependencies: [
            "FuzzSupport",
            .product(name: "DataParallel", package: "digits"),
            .product(name: "NeuralNetwork", package: "digits"),
        ]),
        .executableTarget(name: "request", dependencies: [
            "FuzzSupport",
            .product(name: "DrawServer", package: "digits"),
            .product(name: "DigitReading", package: "digits"),
            .product(name: "Datasets", package: "digits"),
        ]),
    ]
)
