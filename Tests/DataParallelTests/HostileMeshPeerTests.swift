import Datasets
import Foundation
import NeuralNetwork
import XCTest
import ZeroMQ
@testable import DataParallel

/// The sliced exchange over real ZeroMQ with a join token (CURVE on every link): a stranger
/// with a CURVE key of its own connects to a worker's peer socket and sends well-formed
/// parts and slices for the coming rounds, claiming the ranks of real owners. The worker
/// takes only messages whose sender proved the key the coordinator listed for that rank:
/// the stranger's are refused, and the weights are bit for bit those of one process.
final class HostileMeshPeerTests: XCTestCase {
    let settings = TrainingSettings(hidden: [12], epochs: 2, batch: 96, microBatch: 32, learningRate: 0.1, optimizer: .adam, seed: 5)

    func testStrangerOnAPeerSocket_ForgedSlicesAreRefused_AndTheResultIsUnchanged() throws {
        let images = syntheticImages(count: 900, seed: 8)
        let reference = try trainLocally(settings, images: images, threads: 1)
        let plan = Plan(settings: settings, sampleCount: images.count)
        let architecture = settings.architecture(inputs: images.featureCount, classes: images.classes)
        let token = JoinToken.generate()
        let transport = try ZeroMQCoordinatorTransport(bind: "tcp://127.0.0.1:*", maximumMessageSize: 1 << 24, curve: try token.coordinatorCurve())
        let log = CoordinatorTests.Log()
        let coordinator = Coordinator(plan: plan, architecture: architecture, images: images,
                                      configuration: .init(workers: 2, joinTimeout: 10, heartbeatInterval: 0.05, heartbeatTimeout: 2,
                                                           coreType: "Test", runID: 78, exchange: .sliced),
                                      transport: transport, log: log.append)
        let endpoint = transport.endpoint
        let workerLog = CoordinatorTests.Log()
        let group = DispatchGroup()
        let links = Links()
        for name in ["w1", "w2"] {
            let t = Unchecked(value: try ZeroMQWorkerTransport(connect: endpoint, curve: try token.workerCurve(), peerBind: "tcp://127.0.0.1:*"))
            links.add(t.value.link)
            group.enter()
            Thread {
                defer { group.leave() }
                _ = try? WorkerRunner(transport: t.value, configuration: .init(name: name, coreType: "Test", heartbeatInterval: 0.05),
                                      log: workerLog.append).run()
            }.start()
        }
        try coordinator.waitForWorkers()
        // The workers bind their peer sockets again once welcomed (with a message limit): the
        // stranger connects after that, and has its CURVE handshakes done before training,
        // which takes well under a second.
        usleep(300_000)
        // The stranger: a CURVE client with its own key, which no order lists.
        let context = try Context()
        let strangers = try links.all.map { link -> Socket in
            let s = try Socket(.dealer, in: context)
            try s.set(.linger, .zero)
            try s.makeCurveClient(keyPair: try CurveKeyPair.generate(), serverKey: CurveKey(bytes: link.key)!)
            try s.connect(link.address)
            return s
        }
        usleep(300_000)
        let p = architecture.parameterCount
        let trainer = Trainer(plan: plan, network: Network(architecture: architecture, seed: settings.seed), executor: coordinator)
        while !trainer.isFinished {
            // Forged all-gathers for the next orders, for either rank's slice, at full size.
            let next = coordinator.nextOrder + 1
            for s in strangers {
                for rank in 0..<2 {
                    let slice = SlicedExchange.slices(count: p, owners: 2)[rank]
                    let forged = WireMessage(run: 78, step: next, .slice(.init(rank: rank, first: slice.lowerBound,
                                                                                values: [Float](repeating: 1e3, count: slice.count))))
                    _ = try s.send(multipart: ZeroMQCoordinatorTransport.messages(forged.encoded()))
                }
            }
            _ = try trainer.step()
        }
        coordinator.shutdown(reason: "done")
        XCTAssertEqual(group.wait(timeout: .now() + 20), .success)
        XCTAssertBitwiseEqual(trainer.network.parameters, reference, "with a stranger on the peer sockets")
        XCTAssertTrue(workerLog.text.contains("not a current member of the run"), workerLog.text)
        XCTAssertFalse(log.text.contains("dropped"), log.text)
    }

    /// Once the model is known, a peer socket takes no message larger than a part or a
    /// slice can be: a stranger's huge frame is dropped by libzmq before it is allocated.
    func testPeerSocket_HugeFramesAfterTheLimit_NeverArrive() throws {
        let worker = try ZeroMQWorkerTransport(connect: "tcp://127.0.0.1:1", peerBind: "tcp://127.0.0.1:*")
        try worker.limitPeerMessages(toBytes: 4096)
        let context = try Context()
        func stranger() throws -> Socket {
            let s = try Socket(.dealer, in: context)
            try s.set(.linger, .zero)
            try s.connect(worker.link.address)
            return s
        }
        let big = try stranger(), small = try stranger()
        _ = try big.send(multipart: [Message([UInt8](repeating: 7, count: 1 << 20))])
        let ok = WireMessage(run: 1, step: 1, .heartbeat).encoded()
        _ = try small.send(multipart: ZeroMQCoordinatorTransport.messages(ok))
        var heads: [[UInt8]] = []
        let deadline = Date(timeIntervalSinceNow: 1)
        while Date() < deadline {
            guard let (sender, arrival) = try worker.receive(timeout: 0.1) else { continue }
            XCTAssertEqual(sender, .peer(key: []))
            if case .message(let m) = arrival { heads.append(m.encoded().head) } else { heads.append([]) }
        }
        XCTAssertEqual(heads, [ok.head], "only the small message arrives")
    }

    final class Links: @unchecked Sendable {
        let lock = NSLock()
        var all: [PeerLink] = []
        func add(_ link: PeerLink) { lock.withLock { all.append(link) } }
    }
}
