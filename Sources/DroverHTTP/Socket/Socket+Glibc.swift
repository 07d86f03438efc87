import CLinux
import Glibc

/// Thin typed wrappers over the socket, epoll and eventfd calls the server makes, one per C call.
enum SocketCalls {
    /// The current `errno`.
    static var lastError: Int32 { errno }

    /// A readable text for an errno value.
    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        Glibc.read(fd, buffer, count)
    }

    /// Sends without raising SIGPIPE when the peer has gone.
    static func send(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        Glibc.send(fd, buffer, count, Int32(MSG_NOSIGNAL))
    }

    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    static func shutdownWrite(_ fd: Int32) {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    /// Accepts a connection as non-blocking and close-on-exec; -1 with errno on failure.
    /// - Parameter peer: receives the peer's address.
    static func accept(_ fd: Int32, peer: inout PeerAddress) -> Int32 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let accepted = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { drover_accept_nonblocking(fd, $0, &length) }
        }
        if accepted >= 0 { peer = PeerAddress(storage) }
        return accepted
    }

    static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    static func setReuseAddress(_ fd: Int32) {
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    static func epollCreate() -> Int32 {
        epoll_create1(Int32(EPOLL_CLOEXEC))
    }

    @discardableResult
    static func epollAdd(_ epoll: Int32, _ fd: Int32, events: UInt32) -> Int32 {
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        return epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event)
    }

    @discardableResult
    static func epollRemove(_ epoll: Int32, _ fd: Int32) -> Int32 {
        var event = epoll_event()
        return epoll_ctl(epoll, EPOLL_CTL_DEL, fd, &event)
    }

    static func epollWait(
        _ epoll: Int32,
        _ events: UnsafeMutablePointer<epoll_event>,
        _ capacity: Int32,
        _ timeout: Int32
    )
        -> Int32
    {
        epoll_wait(epoll, events, capacity, timeout)
    }

    static func eventFD() -> Int32 {
        eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
    }

    static func signalEventFD(_ fd: Int32) {
        var one: UInt64 = 1
        _ = Glibc.write(fd, &one, 8)
    }

    static func drainEventFD(_ fd: Int32) {
        var value: UInt64 = 0
        _ = Glibc.read(fd, &value, 8)
    }

    /// Monotonic time in nanoseconds.
    static func monotonicNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// The process's soft limit on open descriptors (`RLIMIT_NOFILE`); 1024 when it cannot be read.
    static func descriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return Int(clamping: min(limit.rlim_cur, 1 << 20))  // RLIM_INFINITY is UInt.max
    }

    /// The CPUs this process may run on.
    static func availableCPUCount() -> Int {
        Int(drover_available_cpu_count())
    }
}

/// epoll event bits as `UInt32`.
enum EpollEvents {
    static let input = UInt32(EPOLLIN.rawValue)
    static let output = UInt32(EPOLLOUT.rawValue)
    static let readHangUp = UInt32(EPOLLRDHUP.rawValue)
    static let hangUp = UInt32(EPOLLHUP.rawValue)
    static let error = UInt32(EPOLLERR.rawValue)
    static let edgeTriggered = UInt32(EPOLLET.rawValue)
    static let exclusive = UInt32(EPOLLEXCLUSIVE.rawValue)
}
