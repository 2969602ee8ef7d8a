import Foundation

/// The drawing server, `digits-serve`, which `digits serve` runs: beside this executable, or
/// built there on first use when this executable is a build product of a package checkout.
enum ServerProgram {
    static let name = "digits-serve"

    /// The server's path, built first if it is missing and can be built.
    static func path() throws -> String {
        let executable = URL(fileURLWithPath: ChildProcess.currentExecutable)
        let beside = executable.deletingLastPathComponent().appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        guard let checkout = Checkout(productsOf: executable) else {
            throw CLIError("\(beside) is missing: `digits serve` runs the drawing server from there. In the digits package, `swift build -c release --product \(name)` makes it in .build/release; put it beside \(executable.path).")
        }
        try checkout.build()
        guard FileManager.default.isExecutableFile(atPath: beside) else {
            throw CLIError("built \(name), but it is not at \(beside); run `swift build --product \(name)` in \(checkout.root.path) and look at its output")
        }
        return beside
    }

    /// Replaces this process with the server, so that signals (Ctrl-C) and the exit status
    /// are the server's own. The corresponding C function is `execv`.
    static func replaceProcess(with path: String, arguments: [String]) throws -> Never {
        let argv: [UnsafeMutablePointer<CChar>?] = ([name] + arguments).map { strdup($0) } + [nil]
        execv(path, argv)
        throw CLIError("cannot start \(path): \(String(cString: strerror(errno)))")
    }

    /// A package checkout whose build folder holds this executable: `<root>/.build…/…/<configuration>/digits`.
    struct Checkout {
        let root: URL
        let scratch: URL
        let configuration: String

        init?(productsOf executable: URL) {
            let products = executable.deletingLastPathComponent()
            guard ["debug", "release"].contains(products.lastPathComponent) else { return nil }
            var folder = products
            while folder.path != "/" && !folder.lastPathComponent.hasPrefix(".build") { folder = folder.deletingLastPathComponent() }
            let root = folder.deletingLastPathComponent()
            guard folder.path != "/", FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) else { return nil }
            self.root = root
            scratch = folder
            configuration = products.lastPathComponent
        }

        /// `swift build --product digits-serve` with this executable's configuration and build
        /// folder; its output goes to standard error, which says what is going on meanwhile.
        func build() throws {
            let arguments = ["swift", "build", "--package-path", root.path, "--scratch-path", scratch.path,
                             "-c", configuration, "--product", ServerProgram.name]
            FileHandle.standardError.write(Data("digits serve: building the drawing server (\(ServerProgram.name): swift-nio and Hummingbird) once, about 3 minutes on 2 cores: \(arguments.joined(separator: " "))\n".utf8))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments
            process.standardOutput = FileHandle.standardError
            process.standardInput = FileHandle.nullDevice
            do {
                try process.run()
            } catch {
                throw CLIError("cannot run `swift build` to make \(ServerProgram.name) (\(error.localizedDescription)); build it yourself: \(arguments.joined(separator: " "))")
            }
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw CLIError("`\(arguments.joined(separator: " "))` failed (exit \(process.terminationStatus)); its output is above")
            }
        }
    }
}
