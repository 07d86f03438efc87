import Drover
import Glibc
import Synchronization

/// Drover's HTTP/1.1 server: non-blocking sockets, one epoll event loop per core, handlers on
/// Swift concurrency running on the loop their connection belongs to.
///
/// It buffers each request body (up to ``HTTPServerConfiguration/maxBodySize``, and up to
/// ``HTTPServerConfiguration/maxBufferedBodyBytes`` for all connections together), calls the
/// responder, and writes the response back: `Content-Length` when the length is known, chunked for
/// streams, a `Date` header, keep-alive and pipelining (answers in order), `HEAD`,
/// `Expect: 100-continue`. Malformed, oversized or too slow requests are answered with their status
/// (400, 408, 413, 414, 417, 431, 501, 503, 505), logged, and the connection closed; a `Host` this
/// machine does not answer to is 403 (``HTTPServerConfiguration/allowedHosts``). Connections are
/// limited (``HTTPServerConfiguration/maxConnections``), and running out of descriptors pauses
/// accepting instead of spinning.
///
/// ```swift
/// let server = HTTPServer(configuration: .init(port: 0), logger: logger) { request in
///     Response("hello")
/// }
/// let port = try server.start()
/// ...
/// await server.shutdown(gracePeriod: .seconds(10))
/// ```
package final class HTTPServer: Sendable {
    private struct State {
        var loops: [EventLoop] = []
        var listenFD: Int32 = -1
        var port: Int?
        var started = false
        var stopped = false
    }

    /// The configuration the server was created with.
    package let configuration: HTTPServerConfiguration
    private let logger: Logger
    private let responder: @Sendable (Request) async throws -> Response
    private let state = Mutex(State())

    /// Creates a server; nothing is bound until ``start()``.
    /// - Parameters:
    ///   - configuration: address, port, loops, limits and timeouts.
    ///   - logger: where refused requests, timeouts and handler failures are logged.
    ///   - responder: answers one request. It runs on the connection's event loop thread; a thrown
    ///     error is logged and answered with a plain 500 (the server keeps serving).
    package init(
        configuration: HTTPServerConfiguration,
        logger: Logger,
        responder: @escaping @Sendable (Request) async throws -> Response
    ) {
        self.configuration = configuration
        self.logger = logger
        self.responder = responder
    }

    /// How many times `accept(2)` has failed (out of descriptors, say), across every loop.
    package var acceptFailureCount: Int {
        state.withLock { $0.loops.first?.context.shared.acceptFailureCount ?? 0 }
    }

    /// The bound port, once started.
    package var port: Int? {
        state.withLock { $0.port }
    }

    /// Binds the address, starts the event loops and returns the bound port.
    /// - Throws: ``HTTPServerError`` when the address is in use or cannot be bound, or on a second call.
    @discardableResult
    package func start() throws -> Int {
        try state.withLock { state throws(HTTPServerError) -> Int in
            guard !state.started else { throw .alreadyStarted }
            let (listenFD, port) = try Self.listen(host: configuration.host, port: configuration.port)
            let authority = configuration.host.contains(":") ? "[\(configuration.host)]:\(port)" : "\(configuration.host):\(port)"
            let context = EventLoop.Context(
                configuration: configuration,
                limits: configuration.parserLimits,
                logger: logger,
                responder: responder,
                defaultAuthority: authority,
                shared: SharedServerLimits(
                    maxConnections: configuration.effectiveMaxConnections(descriptorLimit: SocketCalls.descriptorLimit()),
                    maxBufferedBodyBytes: configuration.maxBufferedBodyBytes
                ),
                hosts: HostAllowlist(boundHost: configuration.host, allowed: configuration.allowedHosts)
            )
            var loops: [EventLoop] = []
            for index in 0..<configuration.eventLoops {
                do throws(HTTPServerError) {
                    loops.append(try EventLoop(index: index, context: context))
                } catch {
                    SocketCalls.close(listenFD)
                    throw error
                }
            }
            for loop in loops { loop.start(listenFD: listenFD) }
            state.loops = loops
            state.listenFD = listenFD
            state.port = port
            state.started = true
            return port
        }
    }

    /// Stops accepting connections: the listening socket is no longer polled, idle kept-alive
    /// connections are closed, and connections with a request in progress close after answering it.
    /// Returns once every event loop has done so. ``shutdown(gracePeriod:)`` starts with this; call it
    /// alone to stop taking work earlier (it is idempotent).
    package func stopAccepting() async {
        let loops = state.withLock { $0.loops }
        for loop in loops { await loop.stopAccepting() }
    }

    /// Stops accepting (``stopAccepting()``), lets requests in flight finish, then closes everything;
    /// requests still running after `gracePeriod` lose their connection.
    /// - Returns: true when every request finished within the grace period. When it returns, no
    ///   request is in flight on a connection and every socket is closed, so the caller can go on to
    ///   await its own background work (`waitUntil`).
    @discardableResult
    package func shutdown(gracePeriod: Duration) async -> Bool {
        let (loops, listenFD) = state.withLock { state -> ([EventLoop], Int32) in
            guard state.started, !state.stopped else { return ([], -1) }
            state.stopped = true
            return (state.loops, state.listenFD)
        }
        guard !loops.isEmpty else { return true }
        for loop in loops { await loop.stopAccepting() }
        var timer: Task<Void, Never>?
        let drained = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let gate = Mutex<(remaining: Int, continuation: CheckedContinuation<Bool, Never>?)>(
                (loops.count, continuation)
            )
            let finish: @Sendable (Bool) -> Void = { result in
                let waiting = gate.withLock { gate -> CheckedContinuation<Bool, Never>? in
                    if result {
                        gate.remaining -= 1
                        guard gate.remaining == 0 else { return nil }
                    }
                    defer { gate.continuation = nil }
                    return gate.continuation
                }
                waiting?.resume(returning: result)
            }
            timer = Task {
                guard (try? await Task.sleep(for: gracePeriod)) != nil else { return }
                finish(false)
            }
            for loop in loops {
                loop.whenDrained {
                    finish(true)
                }
            }
        }
        timer?.cancel()
        if !drained {
            logger.warning("HTTP shutdown: requests still running after \(gracePeriod); closing their connections")
        }
        for loop in loops { await loop.stop() }
        state.withLock { $0.loops = [] }
        SocketCalls.close(listenFD)
        return drained
    }

    private static func listen(host: String, port: Int) throws(HTTPServerError) -> (Int32, Int) {
        guard (0...65535).contains(port) else { throw .invalidAddress(host, reason: "port \(port) is out of range") }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, let info = result else {
            throw .invalidAddress(host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(result) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .socketFailed("socket", errno: SocketCalls.lastError) }
        SocketCalls.setReuseAddress(fd)
        guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let code = SocketCalls.lastError
            SocketCalls.close(fd)
            if code == EADDRINUSE { throw .addressInUse(host: host, port: port) }
            throw .socketFailed("bind to \(host):\(port)", errno: code)
        }
        guard Glibc.listen(fd, 4096) == 0 else {
            let code = SocketCalls.lastError
            SocketCalls.close(fd)
            throw .socketFailed("listen", errno: code)
        }
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else {
            let code = SocketCalls.lastError
            SocketCalls.close(fd)
            throw .socketFailed("getsockname", errno: code)
        }
        let bound: UInt16
        if Int32(address.ss_family) == AF_INET6 {
            bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_port } }
        } else {
            bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port } }
        }
        return (fd, Int(UInt16(bigEndian: bound)))
    }
}
