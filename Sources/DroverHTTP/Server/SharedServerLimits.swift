import Synchronization

/// The counters every event loop of one server shares: connections open and request-body bytes
/// buffered. Each is one atomic word; reserving is a compare-and-swap loop, so a limit is never
/// passed even when loops race for its last unit.
final class SharedServerLimits: Sendable {
    /// The most connections open at once.
    let maxConnections: Int
    /// The most request-body bytes buffered at once, across every connection.
    let maxBufferedBodyBytes: Int
    private let connections = Atomic<Int>(0)
    private let bodyBytes = Atomic<Int>(0)
    private let acceptFailures = Atomic<Int>(0)

    init(maxConnections: Int, maxBufferedBodyBytes: Int) {
        self.maxConnections = maxConnections
        self.maxBufferedBodyBytes = maxBufferedBodyBytes
    }

    /// Connections open now.
    var openConnections: Int { connections.load(ordering: .relaxed) }

    /// Body bytes reserved now.
    var bufferedBodyBytes: Int { bodyBytes.load(ordering: .relaxed) }

    /// Whether another connection may be accepted now (a hint: ``connectionOpened()`` counts it).
    var acceptsConnections: Bool { openConnections < maxConnections }

    /// How many times `accept(2)` failed (other than "nothing to accept").
    var acceptFailureCount: Int { acceptFailures.load(ordering: .relaxed) }

    /// Counts a failed `accept(2)`.
    func acceptFailed() {
        acceptFailures.wrappingAdd(1, ordering: .relaxed)
    }

    /// Counts an accepted connection.
    func connectionOpened() {
        connections.wrappingAdd(1, ordering: .relaxed)
    }

    /// Counts a closed connection.
    func connectionClosed() {
        connections.wrappingSubtract(1, ordering: .relaxed)
    }

    /// Reserves `count` more body bytes.
    /// - Returns: false, reserving nothing, when that would pass ``maxBufferedBodyBytes``.
    func reserveBodyBytes(_ count: Int) -> Bool {
        guard count > 0 else { return true }
        var current = bodyBytes.load(ordering: .relaxed)
        while true {
            guard count <= maxBufferedBodyBytes - current else { return false }
            let (exchanged, original) = bodyBytes.compareExchange(
                expected: current,
                desired: current + count,
                ordering: .relaxed
            )
            if exchanged { return true }
            current = original
        }
    }

    /// Gives back `count` reserved body bytes.
    func releaseBodyBytes(_ count: Int) {
        guard count > 0 else { return }
        bodyBytes.wrappingSubtract(count, ordering: .relaxed)
    }
}

/// Lets a repeated log line through at most once per interval and counts what it held back, so
/// a failure that repeats thousands of times a second (an `accept(2)` out of descriptors) costs a
/// line now and then, not the terminal.
struct LogThrottle {
    /// The shortest time between two lines, in nanoseconds.
    let interval: UInt64
    private var nextAllowed: UInt64 = 0
    private var suppressed = 0

    init(interval: Duration) {
        self.interval = interval.nanoseconds
    }

    /// Whether to log now (monotonic nanoseconds), and how many occurrences were held back since
    /// the last line that was let through.
    mutating func admit(now: UInt64) -> (log: Bool, suppressed: Int) {
        guard now >= nextAllowed else {
            suppressed += 1
            return (false, 0)
        }
        nextAllowed = now + interval
        defer { suppressed = 0 }
        return (true, suppressed)
    }
}
