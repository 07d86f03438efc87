import CLinux
import Drover
import Foundation
import Glibc
import Synchronization

/// One epoll loop on a dedicated thread, which is also a Swift `TaskExecutor` (SE-0417).
///
/// Connections accepted by a loop live on it for their whole life, and each request's handler runs
/// in a task preferring this loop as its executor, so the handler, the response write and the next
/// read all happen on the thread the bytes arrived on — no hop to the global pool and back
/// (Docs/architecture.md, "How a request flows"). Jobs enqueued from the loop's own thread go to a plain array;
/// jobs from other threads go through a locked queue and wake the loop with an eventfd only when it
/// sleeps in `epoll_wait`.
final class EventLoop: TaskExecutor, @unchecked Sendable {
    // Safety: properties marked "loop thread" are read and written only on this loop's thread
    // (`run()` and the jobs and closures it runs). Other threads reach the loop only through
    // `remote` (a Mutex) and the eventfd; `threadID` is atomic; the rest is immutable.

    /// What every loop of a server shares.
    struct Context: Sendable {
        let configuration: HTTPServerConfiguration
        let limits: HTTPParserLimits
        let logger: Logger
        let responder: @Sendable (Request) async throws -> Response
        let defaultAuthority: String
        /// Connections and buffered body bytes, counted across every loop.
        let shared: SharedServerLimits
        /// The `Host` names answered.
        let hosts: HostAllowlist
    }

    private struct RemoteQueue {
        var jobs: [UnownedJob] = []
        var closures: [@Sendable () -> Void] = []
        var sleeping = false
        var stopped = false
    }

    let context: Context
    let index: Int
    private let epollFD: Int32
    private let wakeFD: Int32
    private let threadID = Atomic<UInt>(0)
    private let remote = Mutex(RemoteQueue())
    private let stoppedWaiters = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    // Loop thread.
    private var localJobs: [UnownedJob] = []
    private var spareJobs: [UnownedJob] = []
    private var connections: [HTTPConnection?] = []
    private(set) var connectionCount = 0
    private var inFlightCount = 0
    private var listenFD: Int32 = -1
    /// Whether `listenFD` is in the epoll set (it leaves it while accepting is paused).
    private var listening = false
    /// When a paused accept is tried again (monotonic nanoseconds); 0 when not paused.
    private var acceptResumeAt: UInt64 = 0
    /// The pause after the next `accept(2)` out of descriptors; doubles up to a second.
    private var acceptBackoff: UInt64 = acceptBackoffFloor
    private var acceptFailureLog = LogThrottle(interval: .seconds(10))
    private var connectionLimitLog = LogThrottle(interval: .seconds(10))
    private var running = true
    private var nextTick: UInt64 = 0
    private let tickInterval: UInt64
    private var drainedCallback: (@Sendable () -> Void)?
    /// Monotonic nanoseconds, refreshed after each `epoll_wait`.
    private(set) var now: UInt64 = 0
    /// Whether the server is shutting down (no new keep-alive).
    private(set) var draining = false
    /// Scratch space each read lands in; parsed in place, so a complete request is never copied.
    let readBuffer: UnsafeMutableRawBufferPointer
    /// The `Date` header line, refreshed once per second.
    let dateCache = HTTPDateCache()
    /// Encoded status lines by status.
    var statusLines: [Int: [UInt8]] = [:]

    static let readBufferSize = 64 * 1024
    /// The first pause of accepting after `accept(2)` runs out of descriptors (EMFILE, ENFILE) or
    /// memory: the listening socket is level-triggered, so without a pause the loop would spin on
    /// a connection it cannot take (nginx disables its accept events the same way).
    static let acceptBackoffFloor: UInt64 = 50_000_000
    /// The longest pause.
    static let acceptBackoffCeiling: UInt64 = 1_000_000_000
    /// How often a loop paused at the connection limit looks again (a connection closing on this
    /// loop resumes it at once; one closing on another loop is noticed here).
    static let connectionLimitRecheck: UInt64 = 20_000_000

    init(index: Int, context: Context) throws(HTTPServerError) {
        self.index = index
        self.context = context
        let epoll = SocketCalls.epollCreate()
        guard epoll >= 0 else { throw .socketFailed("epoll_create1", errno: SocketCalls.lastError) }
        let wake = SocketCalls.eventFD()
        guard wake >= 0 else {
            SocketCalls.close(epoll)
            throw .socketFailed("eventfd", errno: SocketCalls.lastError)
        }
        epollFD = epoll
        wakeFD = wake
        SocketCalls.epollAdd(epoll, wake, events: EpollEvents.input)
        readBuffer = .allocate(byteCount: Self.readBufferSize, alignment: 16)
        let shortest = min(context.configuration.headerTimeout, context.configuration.idleTimeout).nanoseconds
        tickInterval = min(max(shortest / 8, 5_000_000), 1_000_000_000)
    }

    deinit {
        readBuffer.deallocate()
        SocketCalls.close(epollFD)
        SocketCalls.close(wakeFD)
    }

    // MARK: - Executor

    /// Whether the caller runs on this loop's thread.
    var inLoop: Bool {
        pthread_equal(pthread_self(), pthread_t(threadID.load(ordering: .relaxed))) != 0
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if inLoop {
            localJobs.append(job)
            return
        }
        let (wake, stopped) = remote.withLock { queue -> (Bool, Bool) in
            if queue.stopped { return (false, true) }
            queue.jobs.append(job)
            let wake = queue.sleeping
            queue.sleeping = false
            return (wake, false)
        }
        if stopped {
            // The loop is gone: let the global pool run whatever still prefers it.
            globalConcurrentExecutor.enqueue(ExecutorJob(job))
        } else if wake {
            SocketCalls.signalEventFD(wakeFD)
        }
    }

    func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }

    /// Runs `body` on the loop thread (soon, never inline).
    /// - Returns: false when the loop has stopped (`body` never runs).
    @discardableResult
    func execute(_ body: @escaping @Sendable () -> Void) -> Bool {
        let (wake, stopped) = remote.withLock { queue -> (Bool, Bool) in
            if queue.stopped { return (false, true) }
            queue.closures.append(body)
            let wake = queue.sleeping
            queue.sleeping = false
            return (wake, false)
        }
        if stopped { return false }
        if wake || !inLoop { SocketCalls.signalEventFD(wakeFD) }
        return true
    }

    // MARK: - Lifecycle

    /// Starts the loop thread, accepting from `listenFD` (shared by every loop, EPOLLEXCLUSIVE).
    func start(listenFD: Int32) {
        self.listenFD = listenFD
        SocketCalls.epollAdd(epollFD, listenFD, events: EpollEvents.input | EpollEvents.exclusive)
        listening = true
        let thread = Thread { [self] in run() }
        thread.name = "drover-http-\(index)"
        thread.start()
    }

    /// Stops accepting, closes idle connections and marks the others to close after their current
    /// request; returns once the loop has done so. Idempotent.
    func stopAccepting() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let scheduled = execute { [self] in
                if !draining {
                    draining = true
                    if listenFD >= 0 {
                        if listening { SocketCalls.epollRemove(epollFD, listenFD) }
                        listening = false
                        acceptResumeAt = 0
                        listenFD = -1
                    }
                    for connection in connections {
                        connection?.beginDrain()
                    }
                }
                done.resume()
            }
            if !scheduled { done.resume() }
        }
    }

    /// Calls `drained` on the loop thread once, after ``stopAccepting()``, no connection and no
    /// request is left.
    func whenDrained(_ drained: @escaping @Sendable () -> Void) {
        let scheduled = execute { [self] in
            drainedCallback = drained
            checkDrained()
        }
        if !scheduled { drained() }
    }

    /// Closes every connection, stops the thread, and returns once it has exited.
    func stop() async {
        execute { [self] in
            for connection in connections {
                connection?.close()
            }
            running = false
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = stoppedWaiters.withLock { state -> Bool in
                if state.done { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    // MARK: - Loop

    private func run() {
        threadID.store(UInt(pthread_self()), ordering: .relaxed)
        let capacity: Int32 = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: Int(capacity))
        defer { events.deallocate() }
        now = SocketCalls.monotonicNanoseconds()
        nextTick = now + tickInterval
        while running {
            runLocalJobs()
            let wakeAt = acceptResumeAt != 0 ? min(nextTick, acceptResumeAt) : nextTick
            var timeout = Int32(clamping: (wakeAt > now ? wakeAt - now : 0) / 1_000_000 + 1)
            if !localJobs.isEmpty {
                timeout = 0
            } else {
                let hasRemote = remote.withLock { queue -> Bool in
                    if queue.jobs.isEmpty && queue.closures.isEmpty {
                        queue.sleeping = true
                        return false
                    }
                    return true
                }
                if hasRemote { timeout = 0 }
            }
            let count = SocketCalls.epollWait(epollFD, events, capacity, timeout)
            takeRemoteWork()
            now = SocketCalls.monotonicNanoseconds()
            if count > 0 {
                for index in 0..<Int(count) {
                    let fd = events[index].data.fd
                    let bits = events[index].events
                    if fd == wakeFD {
                        SocketCalls.drainEventFD(wakeFD)
                    } else if fd == listenFD {
                        acceptConnections()
                    } else if Int(fd) < connections.count, let connection = connections[Int(fd)] {
                        connection.handle(events: bits)
                    }
                }
            }
            if acceptResumeAt != 0, now >= acceptResumeAt {
                resumeAccepting()
            }
            if now >= nextTick {
                nextTick = now + tickInterval
                for connection in connections {
                    connection?.checkDeadline(now: now)
                }
            }
        }
        // Whatever still wants this executor runs on the global pool from now on.
        let (jobs, _) = remote.withLock { queue -> ([UnownedJob], Bool) in
            queue.stopped = true
            defer { queue.jobs = [] }
            return (queue.jobs, true)
        }
        for job in localJobs + jobs {
            globalConcurrentExecutor.enqueue(ExecutorJob(job))
        }
        localJobs = []
        threadID.store(0, ordering: .relaxed)
        let waiters = stoppedWaiters.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.done = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private func runLocalJobs() {
        var rounds = 0
        while !localJobs.isEmpty && rounds < 8 {
            swap(&localJobs, &spareJobs)
            for job in spareJobs {
                job.runSynchronously(on: asUnownedTaskExecutor())
            }
            spareJobs.removeAll(keepingCapacity: true)
            rounds += 1
        }
    }

    private func takeRemoteWork() {
        let (jobs, closures) = remote.withLock { queue -> ([UnownedJob], [@Sendable () -> Void]) in
            queue.sleeping = false
            if queue.jobs.isEmpty && queue.closures.isEmpty { return ([], []) }
            defer {
                queue.jobs = []
                queue.closures = []
            }
            return (queue.jobs, queue.closures)
        }
        localJobs.append(contentsOf: jobs)
        for closure in closures { closure() }
    }

    private func acceptConnections() {
        for _ in 0..<64 {
            guard context.shared.acceptsConnections else {
                let (log, suppressed) = connectionLimitLog.admit(now: now)
                if log {
                    context.logger.warning(
                        "HTTP: \(context.shared.maxConnections) connections are open, the limit; new ones wait until one closes"
                            + (suppressed > 0 ? " (\(suppressed) more times since the last report)" : "")
                    )
                }
                pauseAccepting(for: Self.connectionLimitRecheck)
                return
            }
            var peer = PeerAddress()
            let fd = SocketCalls.accept(listenFD, peer: &peer)
            if fd < 0 {
                let code = SocketCalls.lastError
                if code == EAGAIN || code == EWOULDBLOCK { return }
                if code == EINTR || code == ECONNABORTED { continue }
                acceptFailed(code)
                return
            }
            acceptBackoff = Self.acceptBackoffFloor
            SocketCalls.setNoDelay(fd)
            let connection = HTTPConnection(fd: fd, peer: peer, loop: self)
            let slot = Int(fd)
            if slot >= connections.count {
                connections.append(contentsOf: repeatElement(nil, count: slot - connections.count + 64))
            }
            connections[slot] = connection
            connectionCount += 1
            context.shared.connectionOpened()
            SocketCalls.epollAdd(
                epollFD,
                fd,
                events: EpollEvents.input | EpollEvents.output | EpollEvents.readHangUp | EpollEvents.edgeTriggered
            )
            if draining { connection.beginDrain() }
        }
    }

    /// `accept(2)` failed with `code`: log it (at most once per ten seconds) and, when the process
    /// or system is out of descriptors or memory, stop polling the listening socket for a while,
    /// doubling the pause while it keeps failing.
    private func acceptFailed(_ code: Int32) {
        let exhausted = code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM
        context.shared.acceptFailed()
        let (log, suppressed) = acceptFailureLog.admit(now: now)
        if log {
            let pause = exhausted ? "; not accepting for \(acceptBackoff / 1_000_000)ms" : ""
            let more = suppressed > 0 ? " (\(suppressed) more failures since the last report)" : ""
            context.logger.error("HTTP accept failed: \(SocketCalls.describe(code)) (errno \(code))\(pause)\(more)")
        }
        guard exhausted else { return }
        pauseAccepting(for: acceptBackoff)
        acceptBackoff = min(acceptBackoff * 2, Self.acceptBackoffCeiling)
    }

    /// Takes the listening socket out of the epoll set until `pause` has passed.
    private func pauseAccepting(for pause: UInt64) {
        guard listenFD >= 0 else { return }
        if listening {
            SocketCalls.epollRemove(epollFD, listenFD)
            listening = false
        }
        acceptResumeAt = now + pause
    }

    /// Puts the listening socket back in the epoll set (level-triggered: a connection that
    /// waited in the backlog meanwhile is reported at once).
    private func resumeAccepting() {
        acceptResumeAt = 0
        guard listenFD >= 0, !listening, !draining else { return }
        SocketCalls.epollAdd(epollFD, listenFD, events: EpollEvents.input | EpollEvents.exclusive)
        listening = true
    }

    /// Forgets a closed connection and closes its descriptor.
    func remove(_ connection: HTTPConnection) {
        let slot = Int(connection.fd)
        if slot < connections.count, connections[slot] === connection {
            connections[slot] = nil
            connectionCount -= 1
            context.shared.connectionClosed()
        }
        SocketCalls.close(connection.fd)
        // Accepting is paused (the limit, or out of descriptors): one has just been freed, look again now.
        if acceptResumeAt != 0, context.shared.acceptsConnections {
            resumeAccepting()
        }
        checkDrained()
    }

    func requestStarted() {
        inFlightCount += 1
    }

    func requestFinished() {
        inFlightCount -= 1
        checkDrained()
    }

    private func checkDrained() {
        guard draining, connectionCount == 0, inFlightCount == 0, let callback = drainedCallback else { return }
        drainedCallback = nil
        callback()
    }

    /// The encoded status line for `status`, cached.
    func statusLine(_ status: Int) -> [UInt8] {
        if let line = statusLines[status] { return line }
        let reason = HTTPStatus.reasonPhrase(status)
        let line = Array("HTTP/1.1 \(status) \(reason.isEmpty ? "Unknown" : reason)\r\n".utf8)
        if statusLines.count < 256 { statusLines[status] = line }
        return line
    }
}
