import ArgumentParser
import DataParallel
import Foundation
import ZeroMQ

extension Digits {
    /// CURVE key management.
    struct Keys: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make the credentials of a run: a join token, or CURVE key pairs.",
            subcommands: [Token.self, Generate.self])

        struct Token: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Write a new join token to FILE (mode 0600), for the coordinator's and the workers' --token-file.",
                discussion: """
                Whoever holds the token may join the run, and so receive its samples and weights: \
                hand it out as you would a password (a Kubernetes Secret, a file only the job can \
                read). The coordinator and the workers derive the run's CURVE keys from it.
                """)

            @Option(help: ArgumentHelp("The token file to write.", valueName: "file"))
            var out: String

            @Flag(help: "Replace an existing file.")
            var force = false

            func run() throws {
                if !force && FileManager.default.fileExists(atPath: out) { throw CLIError("\(out) exists; pass --force to replace it") }
                try TokenFile.write(JoinToken.generate(), to: out)
                print("wrote a join token to \(out)")
            }
        }

        struct Generate: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Write a key pair: PREFIX.key (secret, keep it private) and PREFIX.pub (public, give it out).",
                discussion: """
                The coordinator needs its own .key (--curve-secret) and a directory of the workers' \
                .pub files (--allow-keys). Each worker needs its own .key (--curve-secret) and the \
                coordinator's .pub (--curve-server-key).
                """)

            @Option(help: ArgumentHelp("Path prefix of the two files.", valueName: "prefix"))
            var out: String

            @Flag(help: "Replace existing files.")
            var force = false

            func run() throws {
                let (secret, pub) = (out + ".key", out + ".pub")
                if !force, let existing = [secret, pub].first(where: { FileManager.default.fileExists(atPath: $0) }) {
                    throw CLIError("\(existing) exists; pass --force to replace it")
                }
                let pair = try CurveKeyPair.generate()
                try KeyFile.write(pair.secretKey, to: secret, mode: 0o600)
                try KeyFile.write(pair.publicKey, to: pub, mode: 0o644)
                print("wrote \(secret) (secret) and \(pub) (public key \(pair.publicKey.z85))")
            }
        }
    }
}

/// Key files: one line of Z85 text (40 characters).
enum KeyFile {
    static func write(_ key: CurveKey, to path: String, mode: mode_t) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data((key.z85 + "\n").utf8), attributes: [.posixPermissions: mode]) else {
            throw CLIError("cannot write \(path)")
        }
    }

    static func read(_ path: String) throws -> CurveKey {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError("cannot read the key file \(path)") }
        guard let key = CurveKey(z85: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw CLIError("\(path) is not a CURVE key (one line of 40 Z85 characters, as `digits keys generate` writes)")
        }
        return key
    }

    /// The public keys in the *.pub files of `directory`.
    static func readAll(in directory: String) throws -> [CurveKey] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw CLIError("cannot read the key directory \(directory)")
        }
        let keys = try names.filter { $0.hasSuffix(".pub") }.sorted().map { try read((directory as NSString).appendingPathComponent($0)) }
        if keys.isEmpty { throw CLIError("\(directory) holds no .pub files: no worker could join") }
        return keys
    }
}

/// Token files: the join token on one line, readable by its owner only.
enum TokenFile {
    static func write(_ token: JoinToken, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data((token.text + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CLIError("cannot write the join token to \(path): check that its directory exists and is writable")
        }
    }

    static func read(_ path: String) throws -> JoinToken {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError("cannot read the join token file \(path)") }
        guard let token = JoinToken(text: text) else {
            throw CLIError("\(path) holds no join token (one line: \(JoinToken.prefix) and 40 characters, as the coordinator writes it)")
        }
        return token
    }
}
