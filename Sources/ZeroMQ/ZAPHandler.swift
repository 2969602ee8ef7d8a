import Foundation

/// A ZAP handler (ZeroMQ Authentication Protocol 1.0, RFC 27) that admits only CURVE
/// clients whose public keys are listed.
///
/// It binds `inproc://zeromq.zap.01` in its context (one handler per context) and answers
/// libzmq's requests on its own thread. Servers opt in with `Socket.makeCurveServer`, whose
/// ZMQ_ZAP_ENFORCE_DOMAIN makes them refuse everyone while no handler runs: fail closed.
///
///     let zap = try ZAPHandler(context: context, allowedKeys: workerKeys) { refusal in
///         log("refused worker with unknown key \(refusal.publicKeyZ85) from \(refusal.address)")
///     }
///     defer { zap.stop() }
///
/// Refusals are also kept in `refusals`. `stop()` (or `deinit`) ends the thread and waits
/// for it; so does shutting the context down.
public final class ZAPHandler: Sendable {
    /// libzmq sends ZAP requests to whatever binds this endpoint in the context.
    public static let endpoint = "inproc://zeromq.zap.01"

    private let context: Context
    private let policy: ZAPPolicy
    private let controlEndpoint: String
    private let finished = DispatchSemaphore(value: 0)
    private let stopping = LockedFlag()

    /// Starts the handler and returns once it listens. `domain`: answer only requests for
    /// this ZAP domain (nil: any). `onRefusal` runs on the handler's thread, for every
    /// refused attempt. Throws `EADDRINUSE` if the context already has a ZAP handler.
    public convenience init(context: Context, domain: String? = nil, allowedKeys: some Sequence<CurveKey>,
                            onRefusal: (@Sendable (ZAPRefusal) -> Void)? = nil) throws(ZeroMQError) {
        try self.init(context: context, policy: ZAPPolicy(domain: domain, allowed: Set(allowedKeys), onRefusal: onRefusal))
    }

    /// A handler that admits every CURVE client (mechanism and domain still checked), with
    /// its public key as the user id: for a server that decides message by message who may
    /// speak, from each message's "User-Id" property (`Message.property`), because the keys
    /// it trusts can change faster than clients connect.
    public static func admittingEveryKey(context: Context, domain: String) throws(ZeroMQError) -> ZAPHandler {
        try ZAPHandler(context: context, policy: ZAPPolicy(domain: domain, allowed: nil, onRefusal: nil))
    }

    private init(context: Context, policy: ZAPPolicy) throws(ZeroMQError) {
        self.context = context
        self.policy = policy
        controlEndpoint = "inproc://digits.zap-handler.control.\(ObjectIdentifier(policy).hashValue)"

        let started = StartResult()
        let (context, policy, control, finished) = (context, policy, controlEndpoint, finished)
        let thread = Thread {
            ZAPHandler.serve(context: context, policy: policy, control: control, started: started)
            finished.signal()
        }
        thread.name = "ZAP handler"
        thread.start()
        if let error = started.wait() {
            _ = stopping.setOnce() // the thread has ended: nothing for `deinit` to stop
            finished.wait()
            throw error
        }
    }

    deinit { stop() }

    /// Admits `key` from now on (connections already refused stay refused).
    public func allow(_ key: CurveKey) { policy.allow(key) }

    /// Refuses `key` from now on; its open connections stay open.
    public func revoke(_ key: CurveKey) { policy.revoke(key) }

    /// The refused attempts so far, oldest first (at most the last 1000).
    public var refusals: [ZAPRefusal] { policy.refusals }

    /// Stops the thread and waits for it; later calls do nothing. While the handler is
    /// stopped, servers with ZMQ_ZAP_ENFORCE_DOMAIN refuse everyone.
    public func stop() {
        guard stopping.setOnce() else { return }
        // The thread ends by itself when the context is shut down (its poll fails with ETERM).
        if finished.wait(timeout: .now()) == .success { return }
        // A socket of its own, used on this thread only; the linger lets the inproc message
        // reach the handler after this socket is closed.
        if let signal = try? Socket(.pair, in: context) {
            _ = try? signal.set(.linger, .seconds(1))
            _ = try? signal.connect(controlEndpoint)
            _ = try? signal.send("stop", flags: .dontWait)
        }
        finished.wait()
    }

    /// The handler's thread: binds, reports that it started, then answers until told to stop.
    private static func serve(context: Context, policy: ZAPPolicy, control: String, started: StartResult) {
        let zap: Socket, stop: Socket
        do {
            zap = try Socket(.reply, in: context)
            try zap.bind(endpoint)
            stop = try Socket(.pair, in: context)
            try stop.bind(control)
        } catch {
            started.finish(error)
            return
        }
        started.finish(nil)
        // zmq_close frees an inproc endpoint later, on libzmq's reaper thread; unbinding frees
        // it at once, so a new handler can bind as soon as `stop()` returns.
        defer { _ = try? zap.unbind(endpoint) }
        let poller = Poller()
        let requests = poller.register(zap)
        let stopRequests = poller.register(stop)
        do {
            while true {
                try poller.poll(timeout: nil)
                if poller.events(at: stopRequests).contains(.readable) { return }
                guard poller.events(at: requests).contains(.readable),
                      let request = try zap.receiveMultipart(flags: .dontWait) else { continue }
                let reply = policy.answer(request.map(\.bytes))
                try zap.send(multipart: reply.map { Message($0) })
            }
        } catch {
            // ETERM: the context is shutting down. Anything else cannot be answered here; the
            // servers keep refusing (fail closed).
            return
        }
    }
}

/// A flag that one caller can set first.
private final class LockedFlag: @unchecked Sendable { // `value` is guarded by `lock`
    private let lock = NSLock()
    private var value = false

    /// True for the caller that set it.
    func setOnce() -> Bool {
        lock.withLock {
            defer { value = true }
            return !value
        }
    }
}

/// The handler thread's start-up outcome, handed to `init`.
private final class StartResult: @unchecked Sendable { // `error` is written before `ready` is signalled
    private let ready = DispatchSemaphore(value: 0)
    private var error: ZeroMQError?

    func finish(_ error: ZeroMQError?) {
        self.error = error
        ready.signal()
    }

    func wait() -> ZeroMQError? {
        ready.wait()
        return error
    }
}
