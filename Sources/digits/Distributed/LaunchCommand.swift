import ArgumentParser
import DataParallel
import Foundation

extension Digits {
    struct Launch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train data-parallel on this machine: a coordinator and N worker processes.",
            discussion: """
            Starts a coordinator in this process and --workers `digits worker` processes that \
            connect to it over ipc (or loopback tcp with --transport tcp), and shows one \
            progress view. Every step's parameters and gradients travel over ZeroMQ. Nobody \
            else can join: the ipc socket lies in a directory only you can enter (mode 0700), \
            and over tcp the workers get a join token made for this run (CURVE keys, encrypted \
            traffic), in their environment. Ctrl-C or SIGTERM stops the run at the next step and saves the model \
            trained so far; if any part fails, everything stops and the reason is printed. The \
            weights are bit-for-bit those of `digits train` with the same flags.
            """)

        @OptionGroup var coordinator: CoordinatorOptions
        @OptionGroup var options: TrainingOptions

        @Option(help: "ipc (a socket file, the default) or tcp (127.0.0.1, a free port).")
        var transport: String = "ipc"

        @Option(name: .customLong("worker-executable"), help: ArgumentHelp("Run workers from this executable instead of this one.", visibility: .hidden))
        var workerExecutable: String?

        func validate() throws {
            guard ["ipc", "tcp"].contains(transport) else { throw ValidationError("--transport must be ipc or tcp") }
        }

        func run() throws {
            let progress = ProgressView(quiet: options.quiet)
            let directory = try PrivateDirectory(prefix: "digits-launch-\(getpid())-")
            defer { directory.remove() }
            // The workers' credential is launch's to give: none from the user's environment.
            var environment = ProcessInfo.processInfo.environment.filter { key, _ in
                !["DIGITS_TOKEN", "DIGITS_TOKEN_FILE", "DIGITS_CURVE_SECRET", "DIGITS_CURVE_SERVER_KEY", "DIGITS_INSECURE"].contains(key)
            }
            let bind: String, curve: CoordinatorCurve?, credential: [String]
            if transport == "ipc" {
                // Only this user (and root) can enter the directory, so only they can connect.
                (bind, curve, credential) = ("ipc://\(directory.path)/coordinator.ipc", nil, ["--insecure"])
            } else {
                let token = JoinToken.generate()
                (bind, curve, credential) = ("tcp://127.0.0.1:*", try token.coordinatorCurve(), [])
                environment["DIGITS_TOKEN"] = token.text
            }
            var children: [ChildProcess] = []
            defer {
                for child in children { child.signal(SIGTERM) }
                for child in children { child.wait(upTo: 3) }
            }
            var run = CoordinatorRun(options: options, coordinator: coordinator, progress: progress, curve: curve)
            run.localWorkers = true
            run.onBound = { endpoint in
                let executable = workerExecutable ?? ChildProcess.currentExecutable
                for i in 1...coordinator.workers {
                    let name = "worker-\(i)"
                    // Peer sockets beside the coordinator's: the same private directory, or loopback.
                    let peerBind = transport == "ipc" ? "ipc://\(directory.path)/\(name).ipc" : "tcp://127.0.0.1:*"
                    children.append(try ChildProcess(name: name, executable: executable, arguments: [
                        "worker", "--connect", endpoint, "--name", name, "--quiet", "--peer-bind", peerBind,
                        "--timeout", String(max(coordinator.joinTimeout, coordinator.heartbeatTimeout) + 5),
                    ] + credential, environment: environment))
                }
            }
            run.checkAbort = {
                for child in children where !child.isRunning {
                    throw CLIError("\(child.name) (pid \(child.pid)) exited with status \(child.exitStatus ?? -1) before the run ended; stopping everything")
                }
            }
            try run.run(bind: bind, role: "digits launch --workers \(coordinator.workers)")
            for child in children { child.wait(upTo: 5) }
        }
    }
}
