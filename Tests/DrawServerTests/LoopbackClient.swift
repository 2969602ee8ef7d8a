import Foundation
import Glibc
import Hummingbird

/// A small HTTP/1.1 client for the tests: one request per connection to 127.0.0.1, sent with
/// `Connection: close`, and the whole response read until the server closes the connection.
///
/// The tests talk to the real server over a real socket, so they see what a browser sees:
/// the framing, the headers and the end of the connection. The blocking socket calls run on
/// a thread of their own, never on Swift's cooperative pool: the server's handlers run there,
/// and on a 2-core machine a blocked pool thread can keep the server from answering.
struct LoopbackClient: Sendable {
    /// The port the server listens on, on 127.0.0.1.
    let port: Int
    /// How long one exchange may take, from connecting until the server closes the connection.
    var timeout: Duration = .seconds(10)

    /// What the server answered, its body already de-framed.
    struct Response: Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: ByteBuffer
    }

    enum Failure: Error, CustomStringConvertible {
        case system(String, errno: Int32)
        case timedOut(Duration)
        case malformedResponse(String)

        var description: String {
            switch self {
            case let .system(call, code): "\(call): \(String(cString: strerror(code)))"
            case let .timedOut(limit): "the exchange with the server took longer than \(limit)"
            case let .malformedResponse(problem): "malformed HTTP response: \(problem)"
            }
        }
    }

    /// Sends `method uri` with `headers`, adding `Host`, `Connection: close` and, when there is
    /// a body, `Content-Length`; for any other request, use `rawExchange`.
    func execute(uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: ByteBuffer? = nil)
        async throws -> Response {
        try Self.parse(await rawExchange(request(uri: uri, method: method, headers: headers, body: body)))
    }

    /// `execute`, then `check` on the response; returns what `check` returns.
    @discardableResult
    func execute<Value>(uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: ByteBuffer? = nil,
                        _ check: (Response) async throws -> Value) async throws -> Value {
        try await check(execute(uri: uri, method: method, headers: headers, body: body))
    }

    /// Connects, sends `bytes` as they are, and returns every byte the server sent until it
    /// closed the connection: for requests that `execute` cannot make, malformed or partial ones.
    func rawExchange(_ bytes: [UInt8]) async throws -> [UInt8] {
        let port = port, timeout = timeout
        return try await Self.offThePool {
            let socket = try Self.connect(port: port, timeout: timeout)
            defer { close(socket) }
            return try Self.exchange(bytes, on: socket, port: port, until: ContinuousClock.now + timeout, timeout: timeout) { _ in false }
        }
    }

    /// Runs `work`, which blocks, on a thread of its own (see above why not on the pool).
    static func offThePool<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    /// The bytes `execute` sends, for `rawExchange` tests that need a request it would not make.
    func request(uri: String, method: HTTPRequest.Method, headers: HTTPFields, body: ByteBuffer?) -> [UInt8] {
        var head = "\(method.rawValue) \(uri) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for field in headers { head += "\(field.name.rawName): \(field.value)\r\n" }
        if let body { head += "Content-Length: \(body.readableBytes)\r\n" }
        return Array((head + "\r\n").utf8) + (body.map { Array($0.readableBytesView) } ?? [])
    }

    /// `HTTPField`, which Hummingbird does not re-export (it does `HTTPFields`).
    private typealias Field = HTTPFields.Element

    /// Splits a whole response into its status, headers and body, which is framed by
    /// `Content-Length` or else by the end of the connection.
    static func parse(_ bytes: [UInt8]) throws -> Response {
        guard let headEnd = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else {
            throw Failure.malformedResponse("no end of the headers in \(bytes.count) bytes: \(String(decoding: bytes.prefix(200), as: UTF8.self))")
        }
        var lines = String(decoding: bytes[..<headEnd.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let code = Int(parts[1]), (100...999).contains(code) else {
            throw Failure.malformedResponse("status line \"\(statusLine)\"")
        }
        var headers = HTTPFields()
        for line in lines {
            guard let colon = line.firstIndex(of: ":"), let name = Field.Name(String(line[..<colon])) else {
                throw Failure.malformedResponse("header line \"\(line)\"")
            }
            headers.append(Field(name: name, value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        let rest = bytes[headEnd.upperBound...]
        if let coding = headers[.transferEncoding] {
            // Every response of the server has a Content-Length; chunks are for when that changes.
            throw Failure.malformedResponse("Transfer-Encoding \(coding) is not decoded by this client")
        }
        let body: ArraySlice<UInt8>
        if let length = headers[.contentLength] {
            guard let count = Int(length), count <= rest.count else {
                throw Failure.malformedResponse("Content-Length \(length), but \(rest.count) bytes came before the connection closed")
            }
            body = rest.prefix(count)
        } else {
            body = rest
        }
        return Response(status: HTTPResponse.Status(code: code, reasonPhrase: parts.count > 2 ? String(parts[2]) : ""),
                        headers: headers, body: ByteBuffer(bytes: body))
    }

    /// A socket connected to 127.0.0.1:`port`; the caller closes it.
    static func connect(port: Int, timeout: Duration) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure.system("socket", errno: errno) }
        // connect(2) waits at most SO_SNDTIMEO, so that a full listen backlog cannot hang a test.
        var limit = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(INADDR_LOOPBACK).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            close(socket)
            throw Failure.system("connect to 127.0.0.1:\(port)", errno: code)
        }
        return socket
    }

    /// Sends `request` while reading whatever comes back, until `complete` says the bytes read
    /// so far are enough, the server closes the connection, or `deadline` passes. Reading while
    /// sending matters: the server may answer (a 413, say) and stop reading before it has the
    /// whole body, and then a client that only sent would block until its timeout.
    static func exchange(_ request: [UInt8], on socket: Int32, port: Int, until deadline: ContinuousClock.Instant,
                         timeout: Duration, complete: ([UInt8]) -> Bool) throws -> [UInt8] {
        var sent = 0, sending = !request.isEmpty
        var received: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let left = deadline - .now
            guard left > .zero else { throw Failure.timedOut(timeout) }
            var ready = pollfd(fd: socket, events: Int16(POLLIN) | (sending ? Int16(POLLOUT) : 0), revents: 0)
            let milliseconds = Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            let count = poll(&ready, 1, milliseconds)
            guard count >= 0 || errno == EINTR else { throw Failure.system("poll", errno: errno) }
            guard count > 0 else { continue }
            if sending, ready.revents & Int16(POLLOUT) != 0 {
                let written = request.withUnsafeBytes {
                    send(socket, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
                }
                if written >= 0 {
                    sent += written
                    sending = sent < request.count
                } else if errno != EAGAIN, errno != EINTR {
                    // The server closed its side early; its answer, if any, is still to be read.
                    sending = false
                }
            }
            if ready.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                let read = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                if read > 0 {
                    received += chunk[..<read]
                    if complete(received) { return received }
                } else if read == 0 || (errno == ECONNRESET && !received.isEmpty) {
                    // A reset after the answer comes from a server closing with part of the body unread.
                    return received
                } else if errno != EAGAIN, errno != EINTR {
                    throw Failure.system("recv from 127.0.0.1:\(port)", errno: errno)
                }
            }
        }
    }
}
