import ArgumentParser
import Foundation
import ZeroMQ

extension Digits.Bench {
    /// Times DEALER→ROUTER→DEALER round trips of one gradient-sized message.
    struct ZeroMQBenchmark: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "zmq",
            abstract: "Time ZeroMQ round trips of a gradient-sized message over tcp, ipc and tcp with CURVE.",
            discussion: """
            A DEALER sends the message to a ROUTER on another thread of this process, which sends \
            a message of the same size back; both sides send without copying (zmq_msg_init_data). \
            The default size, 407,080 bytes, is the gradient of a 784→128→10 network in Float32. \
            Reports the median and 99th percentile of the round trip, and of a memcpy of the same \
            bytes for reference. Scripts/bench-zmq runs the same measurement with pyzmq.
            """)

        enum Transport: String, ExpressibleByArgument, CaseIterable {
            case tcp, ipc, curve
        }

        @Option(help: "Timed round trips per transport.")
        var iterations = 2000

        @Option(help: "Untimed round trips first.")
        var warmup = 200

        @Option(help: "Message size in bytes (a multiple of 4: Float32 values).")
        var size = 407_080

        @Option(help: "Transports to time: tcp, ipc, curve (tcp loopback with CURVE).")
        var transports: [Transport] = Transport.allCases

        @Flag(help: "Print one JSON object per line and transport instead of a table.")
        var json = false

        func validate() throws {
            guard iterations > 0 else { throw ValidationError("--iterations must be at least 1") }
            guard warmup >= 0 else { throw ValidationError("--warmup cannot be negative") }
            guard size > 0, size % 4 == 0 else {
                throw ValidationError("--size must be a positive multiple of 4 bytes, such as 407080")
            }
        }

        func run() throws {
            var results = try transports.map { try measure($0) }
            results.append(Timing(name: "memcpy", samples: memcpyTimes()))
            if !json {
                print("\(size)-byte message, \(iterations) round trips after \(warmup) warm-up, zero-copy sends")
                print("transport".padding(toLength: 12, withPad: " ", startingAt: 0) + "median µs".leftPadded(12) + "p99 µs".leftPadded(12))
            }
            for result in results {
                if json {
                    print(#"{"transport":"\#(result.name)","bytes":\#(size),"iterations":\#(iterations),"median_us":\#(result.median),"p99_us":\#(result.p99)}"#)
                } else {
                    print(result.name.padding(toLength: 12, withPad: " ", startingAt: 0)
                          + String(format: "%12.1f%12.1f", result.median, result.p99))
                }
            }
        }

        /// Round trips over `transport`: this thread is the DEALER, a second thread the ROUTER.
        private func measure(_ transport: Transport) throws -> Timing {
            let context = try Context()
            let serverKeys = try CurveKeyPair.generate(), clientKeys = try CurveKeyPair.generate()
            let zap = transport == .curve
                ? try ZAPHandler(context: context, allowedKeys: [clientKeys.publicKey]) : nil
            defer { zap?.stop() }
            let ipcPath = FileManager.default.temporaryDirectory.appendingPathComponent("digits-bench-\(getpid()).sock").path
            defer { unlink(ipcPath) }
            let endpoint = transport == .ipc ? "ipc://\(ipcPath)" : "tcp://127.0.0.1:*"

            let peer = Peer(context: context, endpoint: endpoint, size: size, rounds: warmup + iterations,
                            serverKey: transport == .curve ? serverKeys.secretKey : nil)
            let bound = try peer.start()

            let dealer = try Socket(.dealer, in: context)
            try dealer.set(.receiveTimeout, .seconds(10))
            if transport == .curve { try dealer.makeCurveClient(keyPair: clientKeys, serverKey: serverKeys.publicKey) }
            try dealer.connect(bound)
            let payload = [Float](repeating: 0.25, count: size / 4)
            var times: [Double] = []
            times.reserveCapacity(iterations)
            let clock = ContinuousClock()
            for round in 0..<(warmup + iterations) {
                let start = clock.now
                try dealer.send(Message(sharing: payload))
                guard let reply = try dealer.receive(), reply.count == size else {
                    throw ValidationError("\(transport): no reply of \(size) bytes within 10 s (round \(round))")
                }
                if round >= warmup { times.append((clock.now - start).microseconds) }
            }
            try peer.finish()
            return Timing(name: transport.rawValue, samples: times)
        }

        private func memcpyTimes() -> [Double] {
            let source = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
            let target = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
            defer { source.deallocate(); target.deallocate() }
            source.initializeMemory(as: UInt8.self, repeating: 1)
            let clock = ContinuousClock()
            return (0..<(warmup + iterations)).compactMap { round in
                let start = clock.now
                memcpy(target.baseAddress!, source.baseAddress!, size)
                return round >= warmup ? (clock.now - start).microseconds : nil
            }
        }
    }
}

extension Digits.Bench.ZeroMQBenchmark {
    /// The ROUTER side, on its own thread (its socket never leaves it): answers every message
    /// with a zero-copy message of the same size.
    final class Peer: Sendable {
        let context: Context, endpoint: String, size: Int, rounds: Int, serverKey: CurveKey?
        private let bound = Outcome<String>(), done = Outcome<Void>()

        init(context: Context, endpoint: String, size: Int, rounds: Int, serverKey: CurveKey?) {
            (self.context, self.endpoint, self.size, self.rounds, self.serverKey) = (context, endpoint, size, rounds, serverKey)
        }

        /// Starts the thread and returns the endpoint it bound.
        func start() throws -> String {
            Thread { self.done.set(Result { try self.serve() }) }.start()
            return try bound.wait().get()
        }

        func finish() throws { try done.wait().get() }

        private func serve() throws {
            let router = try Socket(.router, in: context)
            do {
                try router.set(.receiveTimeout, .seconds(10))
                try router.set(.linger, .seconds(1)) // closing right after the last reply must not drop it
                if let serverKey { try router.makeCurveServer(secretKey: serverKey, zapDomain: "bench") }
                try router.bind(endpoint)
                bound.set(.success(try router.lastEndpoint))
            } catch {
                bound.set(.failure(error))
                throw error
            }
            let payload = [Float](repeating: 0.5, count: size / 4)
            for _ in 0..<rounds {
                guard let request = try router.receiveMultipart(), request.count == 2 else {
                    throw ValidationError("the ROUTER received no request within 10 s")
                }
                try router.send(multipart: [request[0], Message(sharing: payload)])
            }
        }
    }

    /// A value handed from one thread to another once.
    final class Outcome<Value>: @unchecked Sendable { // `result` is written before `ready` is signalled
        private let ready = DispatchSemaphore(value: 0)
        private var result: Result<Value, any Error>?

        func set(_ result: Result<Value, any Error>) {
            self.result = result
            ready.signal()
        }

        func wait() -> Result<Value, any Error> {
            ready.wait()
            return result!
        }
    }

    struct Timing {
        var name: String
        var median: Double, p99: Double

        /// Nearest-rank percentiles of `samples` (microseconds).
        init(name: String, samples: [Double]) {
            let sorted = samples.sorted()
            func percentile(_ p: Double) -> Double { sorted[max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1)] }
            self.name = name
            median = percentile(0.5)
            p99 = percentile(0.99)
        }
    }
}

private extension Duration {
    var microseconds: Double {
        Double(components.seconds) * 1e6 + Double(components.attoseconds) / 1e12
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String {
        String(repeating: " ", count: max(0, width - count)) + self
    }
}
