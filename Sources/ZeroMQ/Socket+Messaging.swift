import CZeroMQ

/// Flags for `Socket.send`.
public struct SendFlags: OptionSet, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Return `.wouldBlock` instead of waiting when the message cannot be queued now.
    public static let dontWait = SendFlags(rawValue: ZMQ_DONTWAIT)
    /// More frames of the same multipart message follow.
    public static let more = SendFlags(rawValue: ZMQ_SNDMORE)
}

/// Flags for `Socket.receive`.
public struct ReceiveFlags: OptionSet, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Return nil at once when no message is waiting.
    public static let dontWait = ReceiveFlags(rawValue: ZMQ_DONTWAIT)
}

/// What became of a send that did not fail.
public enum SendResult: Sendable, Equatable {
    /// The message is queued; libzmq delivers it in the background.
    case sent
    /// `EAGAIN`: with `.dontWait` the message could not be queued now (high-water mark,
    /// no peer), or the send timeout elapsed. Nothing was sent.
    case wouldBlock
}

extension Socket {
    /// Queues one frame. On `.sent` libzmq owns the content and `message` is left empty;
    /// zero-copy messages go out without their bytes being copied.
    /// The corresponding C function is `zmq_msg_send`.
    @discardableResult
    public func send(_ message: Message, flags: SendFlags = []) throws(ZeroMQError) -> SendResult {
        let sent = try LibZMQ.call("zmq_msg_send(\(message.count) bytes)") {
            zmq_msg_send(message.pointer, handle, flags.rawValue)
        }
        return sent == nil ? .wouldBlock : .sent
    }

    /// Queues the frames as one multipart message (all of it or, on `.wouldBlock`, none).
    /// For a ROUTER the first frame is the peer's routing id.
    /// The corresponding C function is `zmq_msg_send`.
    @discardableResult
    public func send(multipart frames: [Message], flags: SendFlags = []) throws(ZeroMQError) -> SendResult {
        precondition(!frames.isEmpty, "a multipart message needs at least one frame")
        for (index, frame) in frames.enumerated() {
            let more: SendFlags = index == frames.count - 1 ? [] : .more
            if try send(frame, flags: flags.union(more)) == .wouldBlock {
                // libzmq accepts the rest of a message once its first frame is accepted.
                guard index == 0 else { throw ZeroMQError(operation: "zmq_msg_send(frame \(index))", code: ZeroMQError.resourceUnavailable) }
                return .wouldBlock
            }
        }
        return .sent
    }

    /// Queues a copy of `bytes` as one frame. The corresponding C function is `zmq_send`.
    @discardableResult
    public func send(_ bytes: [UInt8], flags: SendFlags = []) throws(ZeroMQError) -> SendResult {
        let sent = try LibZMQ.call("zmq_send(\(bytes.count) bytes)") {
            bytes.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags.rawValue) }
        }
        return sent == nil ? .wouldBlock : .sent
    }

    /// Queues a copy of `text`, as UTF-8 without a NUL, as one frame.
    /// The corresponding C function is `zmq_send`.
    @discardableResult
    public func send(_ text: String, flags: SendFlags = []) throws(ZeroMQError) -> SendResult {
        try send(Array(text.utf8), flags: flags)
    }

    /// Receives one frame, whole whatever its size (up to `.maximumMessageSize`).
    /// Returns nil when nothing arrived: at once with `.dontWait`, or after
    /// `.receiveTimeout`. Check `hasMore` for the frames that follow.
    /// The corresponding C function is `zmq_msg_recv`.
    public func receive(flags: ReceiveFlags = []) throws(ZeroMQError) -> Message? {
        let message = Message()
        let received = try LibZMQ.call("zmq_msg_recv") {
            zmq_msg_recv(message.pointer, handle, flags.rawValue)
        }
        return received == nil ? nil : message
    }

    /// Receives every frame of the next multipart message (for a ROUTER the first is the
    /// sender's routing id). Returns nil when nothing arrived, as `receive` does; once the
    /// first frame is there, libzmq guarantees the rest are.
    /// The corresponding C function is `zmq_msg_recv`.
    public func receiveMultipart(flags: ReceiveFlags = []) throws(ZeroMQError) -> [Message]? {
        guard let first = try receive(flags: flags) else { return nil }
        var frames = [first]
        while frames[frames.count - 1].hasMore {
            guard let next = try receive() else {
                throw ZeroMQError(operation: "zmq_msg_recv(frame \(frames.count))", code: ZeroMQError.resourceUnavailable)
            }
            frames.append(next)
        }
        return frames
    }
}
