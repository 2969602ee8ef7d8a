import DataParallel
import ArgumentParser
import Foundation

/// A file a run will write: a flag, its path, and how the file is written.
struct OutputFile {
    enum Writing {
        /// Written beside and renamed over the path (the model, checkpoints, the report).
        case replaced
        /// Opened and written in place (the metrics and evaluation logs; /dev/stdout works).
        case inPlace
    }

    let flag: String
    let path: String
    let writing: Writing
}

/// Checks a run's outputs before it trains, so that a path that can never be written costs
/// a sentence at the start, not the training. "Writable" is tested by creating a file, not
/// by permission bits: the tests, like many containers, run as root, whom permissions do
/// not stop but a missing directory, a regular file in the way or /proc do.
enum OutputPaths {
    /// Throws a `ValidationError` naming the flag and the path for the first output that
    /// cannot be written, or for two flags that name the same file (`reading` are files the
    /// run reads, such as --resume, which only the flags in `mayReplace` may name).
    static func check(_ outputs: [OutputFile], reading: [(flag: String, path: String)] = [], mayReplace: Set<String> = []) throws {
        for output in outputs {
            if let problem = problem(output) { throw ValidationError("\(output.flag) \(output.path): \(problem)") }
        }
        let named = outputs.map { ($0.flag, $0.path, identity($0.path)) }
        for (i, a) in named.enumerated() {
            for b in named[(i + 1)...] where a.2 == b.2 {
                throw ValidationError("\(a.0) and \(b.0) name the same file (\(a.1)): one would replace the other; give them different names")
            }
            for input in reading where !mayReplace.contains(a.0) && identity(input.path) == a.2 {
                throw ValidationError("\(a.0) and \(input.flag) name the same file (\(a.1)): the run would replace what it reads; give them different names")
            }
        }
    }

    /// Why `output` cannot be written, or nil.
    static func problem(_ output: OutputFile) -> String? {
        guard !output.path.isEmpty else { return "give a file name" }
        var status = stat()
        if stat(output.path, &status) == 0 {
            if status.st_mode & S_IFMT == S_IFDIR { return "is a directory; give the name of a file (in it, for example)" }
            switch output.writing {
            case .replaced where status.st_mode & S_IFMT != S_IFREG:
                return "is not a regular file, and the file is written by renaming a new one over it; give another path"
            case .inPlace:
                let fd = open(output.path, O_WRONLY | O_APPEND | O_CLOEXEC)
                guard fd >= 0 else { return "cannot be opened for writing: \(String(cString: strerror(errno)))" }
                close(fd)
                return nil
            case .replaced:
                break
            }
        }
        let directory = self.directory(of: output.path)
        guard stat(directory, &status) == 0 else {
            let reason = errno == ENOENT ? "does not exist; create it or choose another path" : String(cString: strerror(errno))
            return "the directory \(directory) \(reason)"
        }
        guard status.st_mode & S_IFMT == S_IFDIR else { return "\(directory) is not a directory" }
        // Creating (and removing) a file is the one test that holds for root as for anyone.
        let probe = "\(directory)/.digits-write-check-\(getpid())"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return "cannot create files in \(directory): \(String(cString: strerror(errno)))" }
        close(fd)
        unlink(probe)
        return nil
    }

    /// The directory part of `path`: "." for a bare name, "/" for a file at the root.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The path with its directory resolved (symbolic links, `.` and `..`), so that two
    /// spellings of one file compare equal; the path itself if the directory cannot be resolved.
    static func identity(_ path: String) -> String {
        guard let resolved = realpath(directory(of: path), nil) else { return path }
        defer { free(resolved) }
        let name = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
        return String(cString: resolved) + "/" + name
    }
}

extension TrainingOptions {
    /// The `--timeline` file, opened; without the flag, a timeline in memory only when
    /// `inMemory` (the live view draws its last step), else nil.
    func makeTimeline(progress: ProgressView, inMemory: Bool = false) throws -> Timeline? {
        guard timeline != nil || inMemory else { return nil }
        return try Timeline(path: timeline, onWriteError: progress.message)
    }

    /// The files this run writes, in the order they are checked and named in errors.
    var outputs: [OutputFile] {
        [OutputFile(flag: "--out", path: out, writing: .replaced)]
            + (checkpoint.map { [OutputFile(flag: "--checkpoint", path: $0, writing: .replaced)] } ?? [])
            + (metrics.map { [OutputFile(flag: "--metrics", path: $0, writing: .inPlace)] } ?? [])
            + (timeline.map { [OutputFile(flag: "--timeline", path: $0, writing: .inPlace)] } ?? [])
            + [OutputFile(flag: "--report", path: reportPath, writing: .replaced)]
    }

    /// Checks `outputs` plus `extra` (e.g. `train --eval-log`) against each other and --resume,
    /// which --checkpoint may name (a requeued job resumes from its own checkpoint).
    func checkOutputs(extra: [OutputFile] = []) throws {
        try OutputPaths.check(outputs + extra, reading: resume.map { [("--resume", $0)] } ?? [], mayReplace: ["--checkpoint"])
    }
}
