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
    /// The peer's address as text (`Request.remoteAddress`, and the client-address field).
    private let peerText: String?
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
    /// Whether the header clock runs: from the first byte after a response (or from accept) until
    /// the next request is dispatched. Blank lines before a request do not restart it, so a client
    /// cannot hold the connection by sending one now and then.
    private var headClockRunning = true
    /// When the current body began to arrive (monotonic nanoseconds), for the minimum rate.
    private var bodyStart: UInt64 = 0
    /// Body bytes of the current request counted against the server-wide buffer budget.
    private var reservedBodyBytes = 0
    /// The last `Host` this connection sent that the server answers to.
    private var lastAllowedHost: String?
    private var writableWaiter: CheckedContinuation<Void, Never>?

    /// Output past this many unsent bytes stops parsing further requests and pauses streamed bodies.
    static let highWater = 256 * 1024

    init(fd: Int32, peer: PeerAddress, loop: EventLoop) {
        self.fd = fd
        self.peerText = peer.text
        self.loop = loop
        parser = HTTPRequestParser(limits: loop.context.limits)
        if let name = loop.context.configuration.clientAddressField {
            parser.injectedField = (name, peerText)
        }
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
                // Bytes pipelined behind the last request start the next one's header clock now.
                if phase == .waiting { bytesArrived() }
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
            if !headClockRunning {
                // Kept alive: the header clock starts with the first byte of this request, and runs
                // until it is dispatched, whatever arrives meanwhile (RFC 9112 §2.2's blank lines too).
                headClockRunning = true
                deadline = loop.now + configuration.headerTimeout.nanoseconds
            }
        case .readingBody:
            deadline = loop.now + configuration.idleTimeout.nanoseconds
        default:
            break
        }
    }

    /// The peer closed its sending side. It may still be reading: what is owed to it (the end of a
    /// response still in the output buffer) is written before the connection closes.
    private func endOfInput() {
        switch phase {
        case .lingering:
            close()
        case .waiting:
            closeAfterPendingOutput()
        case .readingHead, .readingBody:
            if !parser.isIdle || phase == .readingBody {
                logger.debug("HTTP client disconnected in the middle of a request")
            }
            closeAfterPendingOutput()
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
                if phase == .readingBody, !reserveBody(upTo: parser.bufferedBodyBytes) {
                    refuseForMemory()
                    return bytes.count
                }
                return offset
            case .head(let head):
                self.head = head
                phase = .readingBody
                deadline = loop.now + configuration.idleTimeout.nanoseconds
                bodyStart = loop.now
                // A declared length is reserved whole before a byte of it is read (or a 100 sent).
                if let length = head.contentLength, !reserveBody(upTo: length) {
                    refuseForMemory()
                    return bytes.count
                }
                if head.expectsContinue {
                    // RFC 9110 §10.1.1: tell the client to send the body it announced.
                    outbound.append(contentsOf: HTTPResponseEncoder.continueLine)
                    flush()
                }
            case .end(let body):
                guard let head else { return offset }
                guard reserveBody(upTo: body.count) else {
                    refuseForMemory()
                    return bytes.count
                }
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
        loop.requestStarted()
        // A kept-alive connection sends the same Host each time: check a new one only.
        if let host = head.host, host != lastAllowedHost {
            guard loop.context.hosts.allows(host) else {
                logger.warning("HTTP 403: Host '\(host.prefix(200))' is not one this server answers to; \(head.method) refused")
                let response = Self.forbiddenHost(host)
                Task(executorPreference: loop) { [self] in await respond(response, to: head) }
                return
            }
            lastAllowedHost = host
        }
        var request = Request(
            method: head.method,
            scheme: "http",
            authority: head.host ?? loop.context.defaultAuthority,
            target: head.target,
            headers: Headers(fields: head.fields),
            body: Body(bytes: body)
        )
        request.remoteAddress = peerText
        // The responder alone is captured, not the loop's whole context (a copy per request).
        let responder = loop.context.responder
        Task(executorPreference: loop) { [self] in
            let response: Response
            do {
                response = try await responder(request)
            } catch {
                logger.error("HTTP handler failed for \(head.method) \(head.target): \(error); answering 500")
                response = Response.error("internal server error", status: 500)
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
        releaseBody()
        headClockRunning = false
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

    /// Answers 503 to a body the server-wide buffer budget cannot hold, then closes.
    private func refuseForMemory() {
        let limit = loop.context.shared.maxBufferedBodyBytes
        logger.warning("HTTP 503: request bodies in memory would pass \(limit) bytes; closing the connection")
        answerAndClose(
            status: 503,
            detail: "the server holds too many request bodies in memory right now; try again",
            headers: ["retry-after": "1"]
        )
    }

    /// The answer to a request for a `Host` this server does not answer to.
    private static func forbiddenHost(_ host: String) -> Response {
        let name = host.isEmpty ? "(none)" : String(host.prefix(200))
        return Response(
            """
            Forbidden: this server does not answer to the Host '\(name)'.
            It answers only to this machine's names (localhost, loopback addresses, the address it is bound to),
            so a web page cannot reach it by rebinding its own domain to this machine (DNS rebinding).
            To allow the name, start it with --allowed-host NAME, or list it in allowed_hosts under [dev] in the config.

            """,
            status: 403,
            headers: ["content-type": "text/plain;charset=UTF-8"]
        )
    }

    private func answerAndClose(status: Int, detail: String, headers extra: Headers = [:]) {
        var encoder = HTTPResponseEncoder(loop: loop, logger: logger)
        let body = Array("\(HTTPStatus.reasonPhrase(status)): \(detail)\n".utf8)
        var headers: Headers = ["content-type": "text/plain;charset=UTF-8"]
        for field in extra.fields { headers.append(field.name, field.value) }
        _ = encoder.encodeHead(
            status: status,
            headers: headers,
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
                if phase == .responding || phase == .closing || phase == .waiting {
                    deadline = loop.now + configuration.idleTimeout.nanoseconds
                }
            } else {
                let code = SocketCalls.lastError
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK {
                    writable = false
                    if phase == .responding || phase == .closing || phase == .waiting {
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
        if phase == .readingBody, bodyArrivesTooSlowly(now: now) {
            deadline = 0
            let rate = configuration.minBodyBytesPerSecond
            logger.warning("HTTP 408: request body arriving slower than \(rate) bytes/s; closing the connection")
            answerAndClose(status: 408, detail: "request body arrived slower than \(rate) bytes per second")
            return
        }
        guard deadline != 0, now >= deadline else { return }
        deadline = 0
        switch phase {
        case .waiting:
            if pendingOutput > 0 {
                logger.warning("HTTP client stopped reading the response for \(configuration.idleTimeout); closing")
            } else {
                // Nothing was asked, so nothing is answered: an unsolicited 408 on an idle connection
                // could be read by a client that reuses it at this moment as the answer to its request.
                logger.debug("HTTP connection idle; closing it")
            }
            close()
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

    /// Whether, past the grace period, the body's average rate since its first byte is below the
    /// minimum (Kestrel's `MinRequestBodyDataRate`): a body trickled a byte a minute would
    /// otherwise keep resetting the stall timer for ever.
    private func bodyArrivesTooSlowly(now: UInt64) -> Bool {
        guard bodyStart != 0, now > bodyStart else { return false }
        let elapsed = now - bodyStart
        guard elapsed > configuration.bodyRateGracePeriod.nanoseconds else { return false }
        let expected = Double(configuration.minBodyBytesPerSecond) * Double(elapsed) / 1e9
        return Double(parser.bufferedBodyBytes) < expected
    }

    // MARK: - Body memory

    /// Grows this request's share of the server-wide body budget to `bytes`.
    /// - Returns: false when the budget cannot hold it (nothing more is reserved).
    private func reserveBody(upTo bytes: Int) -> Bool {
        let more = bytes - reservedBodyBytes
        guard more > 0 else { return true }
        guard loop.context.shared.reserveBodyBytes(more) else { return false }
        reservedBodyBytes = bytes
        return true
    }

    private func releaseBody() {
        loop.context.shared.releaseBodyBytes(reservedBodyBytes)
        reservedBodyBytes = 0
        bodyStart = 0
    }

    /// Shutdown: close if nothing is in progress, else close after the current response (one
    /// still being written included).
    func beginDrain() {
        switch phase {
        case .waiting:
            closeAfterPendingOutput()
        case .readingHead, .readingBody, .responding:
            keepAlive = false
        case .closing, .lingering, .closed:
            break
        }
    }

    /// Stops taking requests and closes once the output owed to the client is written (at once
    /// when there is none).
    private func closeAfterPendingOutput() {
        guard pendingOutput > 0 else {
            close()
            return
        }
        keepAlive = false
        phase = .closing
        flush()
    }

    /// Closes the socket now.
    func close() {
        guard phase != .closed else { return }
        phase = .closed
        releaseBody()
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
