import Foundation

/// A child process started with posix_spawn in its own process group, so that a Ctrl-C at
/// the terminal reaches only the parent, which then stops the children in order.
final class ChildProcess {
    let name: String
    let pid: pid_t
    private(set) var exitStatus: Int32?

    /// Starts `executable` with `arguments` and `environment` (by default this process's);
    /// with `output`, its standard output and error go to that file and its input is /dev/null.
    init(name: String, executable: String, arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
         output: String? = nil) throws {
        self.name = name
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let output {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw CLIError("cannot start \(name) (\(executable)): \(String(cString: strerror(result)))")
        }
        pid = child
    }

    /// Whether the child is still running; records its exit status once it has ended.
    var isRunning: Bool {
        if exitStatus != nil { return false }
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid {
            exitStatus = Self.decode(status)
            return false
        }
        return r == 0
    }

    func signal(_ number: Int32) {
        if isRunning { kill(pid, number) }
    }

    /// Waits up to `seconds` for the child to end; SIGKILLs it after that. Returns its status.
    @discardableResult
    func wait(upTo seconds: Double) -> Int32 {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while isRunning && Date() < deadline { usleep(20_000) }
        if isRunning {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            exitStatus = Self.decode(status)
        }
        return exitStatus ?? -1
    }

    /// Exit code, or 128 + signal for a child killed by a signal.
    static func decode(_ status: Int32) -> Int32 {
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    /// The path of the running executable, so that children run the same build.
    static var currentExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}

/// A directory only this user can enter (mode 0700), made with mkdtemp(3) in the temporary
/// directory, and removed with what it holds.
struct PrivateDirectory {
    let path: String

    init(prefix: String) throws {
        var template = Array((FileManager.default.temporaryDirectory.appendingPathComponent(prefix + "XXXXXX").path).utf8CString)
        guard let made = mkdtemp(&template) else {
            throw CLIError("cannot make a private directory in \(FileManager.default.temporaryDirectory.path): \(String(cString: strerror(errno)))")
        }
        path = String(cString: made)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
