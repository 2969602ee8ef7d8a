import CZeroMQ

/// The events a `Poller` waits for and reports.
public struct PollEvents: OptionSet, Sendable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    /// At least one message can be received without blocking (ZMQ_POLLIN).
    public static let readable = PollEvents(rawValue: Int16(ZMQ_POLLIN))
    /// At least one message can be sent without blocking (ZMQ_POLLOUT).
    public static let writable = PollEvents(rawValue: Int16(ZMQ_POLLOUT))
}

/// Waits for events on several sockets at once, with a timeout: the loop of a coordinator
/// that listens to its workers and to a control socket.
///
///     let poller = Poller()
///     let workers = poller.register(router)
///     let control = poller.register(pair)
///     if try poller.poll(timeout: .milliseconds(100)) > 0, poller.events(at: workers).contains(.readable) { ... }
///
/// Like its sockets, a poller belongs to one thread; it keeps the sockets alive.
public final class Poller {
    private var sockets: [Socket] = []
    private var items: [zmq_pollitem_t] = []

    public init() {}

    /// Adds `socket`, watched for `events`, and returns its index for `events(at:)`.
    @discardableResult
    public func register(_ socket: Socket, for events: PollEvents = .readable) -> Int {
        sockets.append(socket)
        items.append(zmq_pollitem_t(socket: socket.handle, fd: -1, events: events.rawValue, revents: 0))
        return items.count - 1
    }

    /// The number of registered sockets.
    public var count: Int { items.count }

    /// Waits until at least one registered socket has one of its events, or `timeout`
    /// passes (nil: no limit; zero: just look). Returns how many sockets have events:
    /// 0 means the timeout passed. An interrupted wait starts over with the full timeout.
    /// The corresponding C function is `zmq_poll`.
    @discardableResult
    public func poll(timeout: Duration?) throws(ZeroMQError) -> Int {
        for index in items.indices { items[index].revents = 0 }
        let milliseconds = Int(LibZMQ.milliseconds(timeout))
        return Int(try LibZMQ.check("zmq_poll(\(items.count) sockets)") {
            items.withUnsafeMutableBufferPointer { zmq_poll($0.baseAddress, Int32($0.count), milliseconds) }
        })
    }

    /// The events found on the socket registered at `index` by the last `poll`.
    public func events(at index: Int) -> PollEvents {
        PollEvents(rawValue: items[index].revents)
    }

    /// The events found on `socket` by the last `poll` (empty if it is not registered).
    public func events(for socket: Socket) -> PollEvents {
        guard let index = sockets.firstIndex(where: { $0 === socket }) else { return [] }
        return events(at: index)
    }
}
