import Drover
import Glibc

/// One client connection: a state machine driven by its loop's epoll events and by its request task.
///
/// Requests are answered strictly one at a time and in order (pipelining, RFC 9112 §9.3.2): the
/// next request is not even parsed until the current response is written, as swift-nio's
/// `HTTPServerPipelineHandler` does, so a parse error of a later request can never overtake an
/// earlier answer. The socket is registered edge-triggered for input and output once; `readable`
/// and `writable` remember what epoll last said.
final class HTTPConnection: @unchecked Sendable {
    // Safety: every stored property is touched only on `loop`'s thread. Epoll events are handled
    // there, and the request task prefers `loop` as its task executor, so its code after each
    // `await` runs there too; `respond(_:to:)` checks and hops back if it ever is not.

    enum Phase {
        /// Between requests (or before the first).
        case waiting
        /// Part of a head has arrived.
        case readingHead
        /// The head is parsed; the body is arriving.
        case readingBody
        /// The handler runs or its response is being written.
        case responding
        /// A final answer is queued; close once it is written.
        case closing
        /// Written side shut; reading and discarding until the peer closes or the linger timeout.
        case lingering
        case closed
    }

    let fd: Int32
    let loop: EventLoop
    private var parser: HTTPRequestParser
    private var inbound: [UInt8] = []
    private var inboundNeedsParse = false
    private var outbound: [UInt8] = []
    private var outboundOffset = 0
    private var readable = true
    private var writable = true
    private var head: HTTPRequestHead?
    private var inFlight = false
    private var keepAlive = true
    private var peerClosed = false
    private(set) var phase: Phase = .waiting
    private var deadline: UInt64
    private var writableWaiter: CheckedContinuation<Void, Never>?

    /// Output past this many unsent bytes stops parsing further requests and pauses streamed bodies.
    static let highWater = 256 * 1024

    init(fd: Int32, loop: EventLoop) {
        self.fd = fd
        self.loop = loop
        parser = HTTPRequestParser(limits: loop.context.limits)
        deadline = loop.now + loop.context.configuration.headerTimeout.nanoseconds
    }

    private var configuration: HTTPServerConfiguration { loop.context.configuration }
    private var logger: Logger { loop.context.logger }
    private var pendingOutput: Int { outbound.count - outboundOffset }

    // MARK: - Events

    func handle(events: UInt32) {
        if events & (EpollEvents.error | EpollEvents.hangUp) != 0 && events & EpollEvents.input == 0 {
            close()
            return
        }
        if events & EpollEvents.output != 0 {
            writable = true
            if pendingOutput > 0 { flush() }
            if phase == .waiting, pendingOutput == 0 { processInput() }
        }
        if events & (EpollEvents.input | EpollEvents.readHangUp | EpollEvents.hangUp | EpollEvents.error) != 0 {
            readable = true
            processInput()
        }
    }

    /// Reads and parses until a request is dispatched, the socket is drained, or output backs up.
    private func processInput() {
        while true {
            switch phase {
            case .closed, .closing:
                return
            case .lingering:
                discardInput()
                return
            case .waiting, .readingHead, .readingBody, .responding:
                break
            }
            if inFlight || pendingOutput > Self.highWater { return }
            if inboundNeedsParse {
                inboundNeedsParse = false
                // Parse a moved-out copy: parsing may answer and close, and close() clears `inbound`.
                var pending: [UInt8] = []
                swap(&pending, &inbound)
                let consumed = pending.withUnsafeBytes { parse($0) }
                if phase == .closed || phase == .closing || phase == .lingering { return }
                pending.removeFirst(min(consumed, pending.count))
                inbound = pending
                continue
            }
            guard readable else { return }
            let count = SocketCalls.read(fd, loop.readBuffer.baseAddress!, loop.readBuffer.count)
            if count > 0 {
                if count < loop.readBuffer.count { readable = false }
                bytesArrived()
                let bytes = UnsafeRawBufferPointer(start: loop.readBuffer.baseAddress, count: count)
                if inbound.isEmpty {
                    let consumed = parse(bytes)
                    if consumed < count, phase != .closed, phase != .closing {
                        inbound.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[consumed...]))
                    }
                } else {
                    inbound.append(contentsOf: bytes)
                    inboundNeedsParse = true
                }
            } else if count == 0 {
                readable = false
                peerClosed = true
                endOfInput()
                return
            } else {
                let code = SocketCalls.lastError
                if code == EINTR { continue }
                readable = false
                if code != EAGAIN && code != EWOULDBLOCK { close() }
                return
            }
        }
    }

    private func bytesArrived() {
        switch phase {
        case .waiting:
            phase = .readingHead
            if keepAlive, head != nil {
                // Kept alive: the header clock starts with the first byte of this request.
                deadline = loop.now + configuration.headerTimeout.nanoseconds
            }
        case .readingBody:
            deadline = loop.now + configuration.idleTimeout.nanoseconds
        default:
            break
        }
    }

    /// The peer closed its sending side.
    private func endOfInput() {
        switch phase {
        case .waiting, .lingering:
            close()
        case .readingHead, .readingBody:
            if !parser.isIdle || phase == .readingBody {
                logger.debug("HTTP client disconnected in the middle of a request")
            }
            close()
        case .responding:
            keepAlive = false  // answer what was asked, then close (half-close)
        case .closing, .closed:
            break
        }
    }

    /// Feeds `bytes` to the parser; returns how many were consumed.
    private func parse(_ bytes: UnsafeRawBufferPointer) -> Int {
        var offset = 0
        while !inFlight {
            switch phase {
            case .closed, .closing, .lingering: return bytes.count
            default: break
            }
            let event: HTTPRequestParser.Event
            let consumed: Int
            do {
                (event, consumed) = try parser.parse(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            } catch {
                refuse(error)
                return bytes.count
            }
            offset += consumed
            switch event {
            case .needMore:
                if phase == .readingHead, parser.isIdle, offset == bytes.count { phase = .waiting }
                return offset
            case .head(let head):
                self.head = head
                phase = .readingBody
                deadline = loop.now + configuration.idleTimeout.nanoseconds
                if head.expectsContinue {
                    // RFC 9110 §10.1.1: tell the client to send the body it announced.
                    outbound.append(contentsOf: HTTPResponseEncoder.continueLine)
                    flush()
                }
            case .end(let body):
                guard let head else { return offset }
                dispatch(head, body: body)
            }
        }
        return offset
    }

    // MARK: - Requests

    private func dispatch(_ head: HTTPRequestHead, body: [UInt8]) {
        inFlight = true
        phase = .responding
        deadline = 0
        keepAlive = keepAlive && head.keepAlive && !loop.draining && !peerClosed
        let context = loop.context
        let request = Request(
            method: head.method,
            scheme: "http",
            authority: head.host ?? context.defaultAuthority,
            target: head.target,
            headers: Headers(fields: head.fields),
            body: Body(bytes: body)
        )
        loop.requestStarted()
        Task(executorPreference: loop) { [self] in
            let response: Response
            do {
                response = try await context.responder(request)
            } catch {
                context.logger.error("HTTP handler failed for \(head.method) \(head.target): \(error); answering 500")
                response = Response("Internal Server Error\n", status: 500)
            }
            await respond(response, to: head)
        }
    }

    /// Writes `response` to `head`, streaming its body if it is a stream, then moves on to the next request.
    private func respond(_ response: Response, to head: HTTPRequestHead) async {
        if !loop.inLoop {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                if !loop.execute({ continuation.resume() }) { continuation.resume() }  // loop gone: closed anyway
            }
        }
        defer { loop.requestFinished() }
        guard phase != .closed else { return }
        var status = response.status
        if status < 200 || status > 999 {
            logger.error("HTTP handler answered status \(status) for \(head.method) \(head.target); answering 500")
            status = 500
        }
        let bodyless = head.isHead || status == 204 || status == 304
        let framingAllowed = status != 204 && status != 304
        var encoder = HTTPResponseEncoder(loop: loop, logger: logger)
        switch response.body.storage {
        case .empty:
            keepAlive = encoder.encodeHead(
                status: status,
                headers: response.headers,
                framing: framingAllowed ? .length(0) : .none,
                keepAlive: keepAlive,
                minorVersion: head.minorVersion,
                into: &outbound
            )
        case .bytes(let bytes):
            keepAlive = encoder.encodeHead(
                status: status,
                headers: response.headers,
                framing: framingAllowed ? .length(bytes.count) : .none,
                keepAlive: keepAlive,
                minorVersion: head.minorVersion,
                into: &outbound
            )
            if !bodyless { outbound.append(contentsOf: bytes) }
        case .stream(let stream, let length):
            if bodyless {
                keepAlive = encoder.encodeHead(
                    status: status,
                    headers: response.headers,
                    framing: framingAllowed ? (length.map { .length($0) } ?? .none) : .none,
                    keepAlive: keepAlive,
                    minorVersion: head.minorVersion,
                    into: &outbound
                )
            } else {
                let framing: HTTPResponseEncoder.Framing
                if let length {
                    framing = .length(length)
                } else if head.minorVersion >= 1 {
                    framing = .chunked
                } else {
                    framing = .none  // HTTP/1.0: the body ends when the connection closes (RFC 9112 §6.3)
                    keepAlive = false
                }
                keepAlive = encoder.encodeHead(
                    status: status,
                    headers: response.headers,
                    framing: framing,
                    keepAlive: keepAlive,
                    minorVersion: head.minorVersion,
                    into: &outbound
                )
                guard await copyStream(stream, framing: framing) else { return }
            }
        }
        finishResponse()
    }

    /// Copies a streamed body out, pausing while the client reads slower than the handler writes.
    /// Returns false when the connection was closed (client gone, handler error, wrong length).
    private func copyStream(_ stream: Body.Stream, framing: HTTPResponseEncoder.Framing) async -> Bool {
        var sent = 0
        do {
            for try await chunk in stream {
                if phase == .closed { return false }
                if chunk.isEmpty { continue }
                sent += chunk.count
                switch framing {
                case .chunked:
                    HTTPResponseEncoder.appendChunk(chunk, to: &outbound)
                case .length(let length):
                    guard sent <= length else {
                        logger.error("HTTP response stream is longer than its declared length \(length); closing")
                        close()
                        return false
                    }
                    outbound.append(contentsOf: chunk)
                case .none:
                    outbound.append(contentsOf: chunk)
                }
                flush()
                while pendingOutput > Self.highWater, phase != .closed {
                    await withCheckedContinuation { writableWaiter = $0 }
                }
            }
        } catch {
            logger.error("HTTP response stream failed: \(error); closing the connection")
            close()
            return false
        }
        if phase == .closed { return false }
        switch framing {
        case .chunked:
            outbound.append(contentsOf: HTTPResponseEncoder.lastChunk)
        case .length(let length):
            guard sent == length else {
                logger.error("HTTP response stream ended after \(sent) of its declared \(length) bytes; closing")
                close()
                return false
            }
        case .none:
            break
        }
        return true
    }

    private func finishResponse() {
        inFlight = false
        if keepAlive && !peerClosed && !loop.draining {
            phase = .waiting
            deadline = loop.now + configuration.idleTimeout.nanoseconds
            inboundNeedsParse = !inbound.isEmpty
            flush()
            if phase == .waiting { processInput() }
        } else {
            phase = .closing
            flush()
        }
    }

    /// Answers a request the parser refused, then closes (swift-nio
    /// `HTTPServerProtocolErrorHandler`: only if no response has started, which holds here because
    /// requests are parsed one at a time).
    private func refuse(_ error: HTTPParseError) {
        logger.warning("HTTP \(error.status): \(error.message); closing the connection")
        answerAndClose(status: error.status, detail: error.message)
    }

    private func answerAndClose(status: Int, detail: String) {
        var encoder = HTTPResponseEncoder(loop: loop, logger: logger)
        let body = Array("\(HTTPStatus.reasonPhrase(status)): \(detail)\n".utf8)
        _ = encoder.encodeHead(
            status: status,
            headers: ["content-type": "text/plain;charset=UTF-8"],
            framing: .length(body.count),
            keepAlive: false,
            minorVersion: 1,
            into: &outbound
        )
        outbound.append(contentsOf: body)
        phase = .closing
        flush()
    }

    // MARK: - Output

    private func flush() {
        while outboundOffset < outbound.count {
            let sent = outbound.withUnsafeBytes { bytes in
                SocketCalls.send(fd, bytes.baseAddress! + outboundOffset, bytes.count - outboundOffset)
            }
            if sent > 0 {
                outboundOffset += sent
                if phase == .responding || phase == .closing {
                    deadline = loop.now + configuration.idleTimeout.nanoseconds
                }
            } else {
                let code = SocketCalls.lastError
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK {
                    writable = false
                    if phase == .responding || phase == .closing {
                        deadline = loop.now + configuration.idleTimeout.nanoseconds
                    }
                    return
                }
                close()
                return
            }
        }
        if outbound.capacity > 1 << 20 {
            outbound = []
        } else {
            outbound.removeAll(keepingCapacity: true)
        }
        outboundOffset = 0
        if let waiter = writableWaiter {
            writableWaiter = nil
            waiter.resume()
        }
        if phase == .closing { linger() }
    }

    /// Half-closes and reads until the peer closes, so the final answer is not lost to a reset.
    private func linger() {
        SocketCalls.shutdownWrite(fd)
        phase = .lingering
        deadline = loop.now + configuration.lingerTimeout.nanoseconds
        discardInput()
    }

    private func discardInput() {
        while phase == .lingering {
            let count = SocketCalls.read(fd, loop.readBuffer.baseAddress!, loop.readBuffer.count)
            if count > 0 { continue }
            if count < 0 {
                let code = SocketCalls.lastError
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK { return }
            }
            close()
        }
    }

    // MARK: - Timers and shutdown

    func checkDeadline(now: UInt64) {
        guard deadline != 0, now >= deadline else { return }
        deadline = 0
        switch phase {
        case .waiting:
            if head == nil {
                logger.warning("HTTP 408: no request within \(configuration.headerTimeout); closing the connection")
            } else {
                logger.info("HTTP 408: kept-alive connection idle for \(configuration.idleTimeout); closing it")
            }
            answerAndClose(status: 408, detail: "no request received in time")
        case .readingHead:
            logger.warning("HTTP 408: header not complete within \(configuration.headerTimeout); closing the connection")
            answerAndClose(status: 408, detail: "request header not received in time")
        case .readingBody:
            logger.warning("HTTP 408: request body stalled for \(configuration.idleTimeout); closing the connection")
            answerAndClose(status: 408, detail: "request body not received in time")
        case .responding, .closing:
            logger.warning("HTTP client stopped reading the response for \(configuration.idleTimeout); closing")
            close()
        case .lingering:
            close()
        case .closed:
            break
        }
    }

    /// Shutdown: close if nothing is in progress, else close after the current response.
    func beginDrain() {
        switch phase {
        case .waiting:
            close()
        case .readingHead, .readingBody, .responding:
            keepAlive = false
        case .closing, .lingering, .closed:
            break
        }
    }

    /// Closes the socket now.
    func close() {
        guard phase != .closed else { return }
        phase = .closed
        inbound = []
        outbound = []
        outboundOffset = 0
        loop.remove(self)
        if let waiter = writableWaiter {
            writableWaiter = nil
            waiter.resume()
        }
    }
}
