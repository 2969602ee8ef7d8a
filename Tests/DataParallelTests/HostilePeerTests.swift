import Datasets
import Foundation
import NeuralNetwork
import XCTest
import ZeroMQ
@testable import DataParallel

/// A coordinator and two honest workers over real ZeroMQ (tcp loopback), and a hostile peer
/// on a raw DEALER socket that sends garbage, an oversized frame, an unknown type, a wrong
/// run id, and (after joining as a worker) gradients for blocks it was not given, of the
/// wrong length, with NaN or infinite values, without the frame of a sum, and with a frame
/// that is not whole Float32 values. Each is refused with a logged reason, and the weights
/// are bit for bit those of one process.
final class HostilePeerTests: XCTestCase {
    let settings = TrainingSettings(hidden: [12], epochs: 2, batch: 96, microBatch: 32, learningRate: 0.1, optimizer: .momentum, seed: 31)

    func testHostilePeer_EveryBadMessageIsRefused_AndTheResultIsUnchanged() throws {
        let images = syntheticImages(count: 900, seed: 4)
        let reference = try trainLocally(settings, images: images, threads: 1)
        let plan = Plan(settings: settings, sampleCount: images.count)
        let architecture = settings.architecture(inputs: images.featureCount, classes: images.classes)
        let maximum = 8 * (architecture.parameterCount * 4 + 64) + 4096
        let transport = try ZeroMQCoordinatorTransport(bind: "tcp://127.0.0.1:*", maximumMessageSize: maximum)
        let log = CoordinatorTests.Log()
        let coordinator = Coordinator(plan: plan, architecture: architecture, images: images,
                                      configuration: .init(workers: 3, joinTimeout: 10, heartbeatInterval: 0.05, heartbeatTimeout: 2,
                                                           coreType: "Test", runID: 77),
                                      transport: transport, log: log.append)
        let endpoint = transport.endpoint
        let group = DispatchGroup()
        for name in ["honest-1", "honest-2"] {
            group.enter()
            Thread {
                defer { group.leave() }
                guard let t = try? ZeroMQWorkerTransport(connect: endpoint) else { return }
                _ = try? WorkerRunner(transport: t, configuration: .init(name: name, coreType: "Test", heartbeatInterval: 0.05)).run()
            }.start()
        }
        group.enter()
        Thread {
            defer { group.leave() }
            try? Mallory(endpoint: endpoint, maximum: maximum).run()
        }.start()
        // An impostor that names its own connection as if it were a worker: refused.
        let impostorContext = try Context()
        let impostor = try Socket(.dealer, in: impostorContext)
        try impostor.set(.linger, .zero)
        try impostor.set(.routingID, Array("honest-1".utf8))
        try impostor.connect(endpoint)
        _ = try impostor.send(multipart: [Message(WireMessage(run: 0, .hello(.init(name: "honest-1", coreType: "Test"))).encoded().head)])

        try coordinator.waitForWorkers()
        let trainer = Trainer(plan: plan, network: Network(architecture: architecture, seed: settings.seed), executor: coordinator)
        while !trainer.isFinished { _ = try trainer.step() }
        coordinator.shutdown(reason: "done")
        XCTAssertEqual(group.wait(timeout: .now() + 20), .success)

        XCTAssertBitwiseEqual(trainer.network.parameters, reference, "with a hostile peer in the run")
        let text = log.text
        for expected in ["bad magic", "unknown message type 99", "run id 12345 is not this run's (77)",
                         "it was given", "the model has \(architecture.parameterCount) parameters", "NaN or infinite",
                         "is missing", "not whole Float32 values", "it chose its own routing id"] {
            XCTAssertTrue(text.contains(expected), "missing refusal \"\(expected)\" in:\n\(text)")
        }
        XCTAssertEqual(text.components(separatedBy: "NaN or infinite").count - 1, 2, "NaN, infinity:\n\(text)")
    }
}

/// The hostile peer. Every misdeed is sent once; it rejoins after each drop.
private struct Mallory {
    let endpoint: String
    let maximum: Int

    func run() throws {
        let context = try Context()
        let socket = try Socket(.dealer, in: context)
        try socket.set(.linger, .zero)
        try socket.connect(endpoint)
        let poller = Poller()
        _ = poller.register(socket)
        func receive() throws -> WireMessage? {
            guard try poller.poll(timeout: .seconds(5)) > 0, let frames = try socket.receiveMultipart() else { return nil }
            return try? WireMessage(head: frames[0].bytes, payloads: frames.dropFirst().map { $0.withUnsafeBytes { $0 } })
        }
        func send(_ frames: WireFrames) throws {
            _ = try socket.send(multipart: [Message(frames.head)] + frames.payloads.map { p in p.withUnsafeBytes { Message(copying: $0) } })
        }

        try send(WireFrames(head: Array("GET / HTTP/1.1\r\n\r\n".utf8) + [UInt8](repeating: 0xAB, count: 40)))
        var unknown = WireMessage(run: 0, .heartbeat).encoded()
        unknown.head[6] = 99
        try send(unknown)
        try send(WireMessage(run: 12345, .heartbeat).encoded())

        var misdeeds = ["wrong block", "wrong length", "nan", "infinity", "missing frame", "ragged frame"]
        func hello() throws { try send(WireMessage(run: 0, .hello(.init(name: "mallory", coreType: "Test"))).encoded()) }
        try hello()
        while let message = try receive() {
            switch message.body {
            case .step(let order):
                guard let misdeed = misdeeds.first else { continue }
                misdeeds.removeFirst()
                let p = order.parameters?.count ?? 0
                var nodes = order.nodes.map { WireMessage.GradientReply.Node(node: $0, statistics: BatchStatistics(lossSum: 1, correct: 1, count: 32), values: [Float](repeating: 0.01, count: p)) }
                switch misdeed {
                case "wrong block": nodes[0].node = TreeNode(first: nodes[0].node.first + nodes[0].node.size, size: nodes[0].node.size)
                case "wrong length": nodes[0].values.removeLast()
                case "nan": nodes[0].values[p / 2] = .nan
                case "infinity": nodes[0].values[0] = -.infinity
                default: break
                }
                var frames = WireMessage(run: message.run, step: message.step, .gradient(.init(nodes: nodes, computeSeconds: 0))).encoded()
                if misdeed == "missing frame" { frames.payloads.removeLast() }
                if misdeed == "ragged frame" {
                    _ = try socket.send(multipart: [Message(frames.head)] + frames.payloads.dropLast().map { p in p.withUnsafeBytes { Message(copying: $0) } } + [Message([UInt8](repeating: 1, count: 7))])
                    continue
                }
                try send(frames)
            case .shutdown(let reason) where reason.hasPrefix("dropped"):
                if misdeeds.isEmpty {
                    // Last: a frame over the size cap, which libzmq refuses before allocating it.
                    try send(WireFrames(head: [UInt8](repeating: 7, count: maximum + 1)))
                    return
                }
                try hello()
            case .shutdown:
                return
            default:
                continue
            }
        }
    }
}
