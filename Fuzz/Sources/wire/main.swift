import DataParallel
import FuzzSupport
import NeuralNetwork

// Coordinator–worker messages: `WireMessage(head:payloads:)` on the frames in place (at any
// alignment, as libzmq delivers them) and `WireMessage(decoding: WireFrames)` on them as
// arrays. The input is split by `Frames.split`.
Fuzzer.run(seeds: Seeds.all) { bytes in
    let (head, payloads) = Frames.split(bytes)
    let inPlace = withExtendedLifetime(payloads) {
        try? WireMessage(head: head, payloads: payloads.map { $0.withUnsafeBytes { $0 } })
    }
    let floats = payloads.map { p in
        stride(from: 0, to: p.count - 3, by: 4).map { i in
            Float(bitPattern: UInt32(p[i]) | UInt32(p[i + 1]) << 8 | UInt32(p[i + 2]) << 16 | UInt32(p[i + 3]) << 24)
        }
    }
    let whole = payloads.allSatisfy { $0.count % 4 == 0 }
    let arrays = try? WireMessage(decoding: WireFrames(head: head, payloads: floats))
    precondition(!whole || (inPlace == nil) == (arrays == nil), "the two decoders disagree on whether the message is valid")
    guard let message = inPlace else { return }
    // What was read is what is sent: decoding the message's own encoding gives the same frames
    // (compared as bits: step parameters may be NaN).
    let encoded = message.encoded()
    guard let again = try? WireMessage(decoding: encoded) else {
        preconditionFailure("WireMessage cannot decode its own encoding of an accepted message")
    }
    precondition(Frames.bits(again.encoded()) == Frames.bits(encoded), "WireMessage: decoding its own encoding changed the message")
}

enum Frames {
    /// Byte 0's low two bits are the number of payload frames (0–3); then each frame's length
    /// as a little-endian u16 and its bytes; the rest is the head.
    static func split(_ bytes: [UInt8]) -> (head: [UInt8], payloads: [[UInt8]]) {
        var input = FuzzInput(bytes)
        let count = Int(input.byte() & 3)
        var lengths: [Int] = []
        for _ in 0..<count { lengths.append(input.u16()) }
        let payloads = lengths.map { input.take($0) }
        return (input.rest(), payloads)
    }

    /// The inverse of `split`, for seeds.
    static func join(_ frames: WireFrames) -> [UInt8] {
        precondition(frames.payloads.count <= 3 && frames.payloads.allSatisfy { $0.count * 4 <= 0xFFFF })
        var bytes = [UInt8(frames.payloads.count)]
        for p in frames.payloads { bytes += [UInt8(p.count * 4 & 0xFF), UInt8(p.count * 4 >> 8)] }
        for p in frames.payloads {
            for v in p { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        }
        return bytes + frames.head
    }

    /// The head's bytes, then each payload's values as bits (so that NaNs compare equal).
    static func bits(_ frames: WireFrames) -> [[UInt32]] {
        [frames.head.map(UInt32.init)] + frames.payloads.map { $0.map(\.bitPattern) }
    }
}

/// One message of each kind, as in WireCodecTests.
enum Seeds {
    static func all() -> [String: [UInt8]] {
        let messages: [WireMessage] = [
            WireMessage(run: 0, .hello(.init(name: "worker-a", coreType: "Cooperlake", threads: 2, expectedShape: "784,128,10"))),
            WireMessage(run: 42, .welcome(.init(workerIndex: 1, settings: "{\"batch\":64}", architecture: "{}", shardCount: 4,
                                                imageHeight: 28, imageWidth: 28, classes: 10, heartbeatInterval: 0.5, heartbeatTimeout: 5))),
            WireMessage(run: 42, .shards(.init(drop: [5, 6], shards: [.init(index: 3, labels: [1, 2], pixels: [UInt8](repeating: 7, count: 8)),
                                                                          .init(index: 0, labels: [], pixels: [])]))),
            WireMessage(run: 42, step: 17, .step(.init(position: StepPosition(epoch: 1, step: 3),
                                                       nodes: [TreeNode(first: 0, size: 2), TreeNode(first: 2, size: 1)],
                                                       parameters: [1, -2.5, .leastNonzeroMagnitude, 3e38]))),
            WireMessage(run: 42, step: 17, .gradient(.init(nodes: [
                .init(node: TreeNode(first: 2, size: 1), statistics: BatchStatistics(lossSum: 12.5, correct: 30, count: 32), values: [0.5, -0.25]),
                .init(node: TreeNode(first: 4, size: 4), statistics: BatchStatistics(), values: []),
            ], computeSeconds: 0.003))),
            WireMessage(run: 42, .heartbeat),
            WireMessage(run: 42, .goodbye("interrupted")),
            WireMessage(run: 42, .shutdown("training finished")),
            WireMessage(run: 42, .error("gradient for shard 9, which you were not given")),
        ]
        return Dictionary(uniqueKeysWithValues: messages.map { ("\($0.body.kind)", Frames.join($0.encoded())) })
    }
}
