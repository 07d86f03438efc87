import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Writes lines to a file descriptor from a thread of its own, so that the threads that log —
/// the HTTP event loops among them — never wait on the descriptor.
///
/// A slow terminal or a pipe nobody reads (`drover dev 2>&1 | less`, paused) would otherwise block
/// every `write(2)` of a request log line, and with it the loop serving the request. Lines are
/// queued in memory up to ``capacity`` bytes; past it a line is dropped and counted, and the writer
/// says how many it dropped once it can write again. Lines are written whole and in the order they
/// were queued.
///
/// Queueing a line costs a lock and a copy, nothing more: the writer is woken only by the first
/// line after it went idle, or when ``batchBytes`` are waiting; otherwise it gathers lines for up
/// to ``batchDelay`` and writes them with one `write(2)`. (Waking it for every line cost a
/// context switch per request: 20 % of the dev server's throughput.)
package final class LogLineWriter: Sendable {
    /// The writer of standard error, shared by every sink that writes there so their lines keep
    /// one order.
    package static let standardError = LogLineWriter(descriptor: 2)

    private struct State {
        var pending: [UInt8] = []
        var dropped = 0
        var writing = false
        /// The writer waits for a first line, with no time limit.
        var idle = false
        /// The writer gathers lines for ``batchDelay``; wake it only for a full batch.
        var gathering = false
    }

    /// The descriptor written to.
    package let descriptor: Int32
    /// The most bytes queued and not yet written.
    package let capacity: Int
    /// Bytes that make a batch worth writing at once.
    package static let batchBytes = 32 * 1024
    /// The longest a line waits for others to join it: how late a log line may appear.
    package static let batchDelay: DispatchTimeInterval = .milliseconds(10)
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)

    /// A writer of `descriptor`, with its own thread, queueing at most `capacity` bytes.
    package init(descriptor: Int32, capacity: Int = 4 << 20) {
        self.descriptor = descriptor
        self.capacity = capacity
        let thread = Thread { [self] in run() }
        thread.name = "drover-log-writer-\(descriptor)"
        thread.start()
    }

    /// Queues `line` (its newline included); never blocks on the descriptor. A line that does not
    /// fit in what is left of ``capacity`` is dropped and counted.
    package func write(_ line: [UInt8]) {
        let signal = state.withLock { state -> Bool in
            if state.pending.count + line.count > capacity {
                state.dropped += 1
            } else {
                state.pending.append(contentsOf: line)
            }
            if state.idle {
                state.idle = false
                return true
            }
            if state.gathering, state.pending.count >= Self.batchBytes {
                state.gathering = false
                return true
            }
            return false
        }
        if signal { wake.signal() }
    }

    /// Lines dropped and not yet reported.
    package var droppedLines: Int { state.withLock { $0.dropped } }

    /// Waits until everything queued so far is written, or until `timeout` passes (a descriptor
    /// nobody reads): before the process exits.
    /// - Returns: whether everything was written.
    @discardableResult
    package func flush(timeout: Duration = .seconds(2)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            let idle = state.withLock { $0.pending.isEmpty && $0.dropped == 0 && !$0.writing }
            if idle { return true }
            if ContinuousClock.now >= deadline { return false }
            usleep(1_000)
        }
    }

    private func run() {
        while true {
            let hasWork = state.withLock { state -> Bool in
                if state.pending.isEmpty && state.dropped == 0 {
                    state.idle = true
                    return false
                }
                return true
            }
            guard hasWork else {
                wake.wait()
                continue
            }
            // Let the lines logged in the next moments join this write.
            let gather = state.withLock { state -> Bool in
                guard state.pending.count < Self.batchBytes else { return false }
                state.gathering = true
                return true
            }
            if gather {
                _ = wake.wait(timeout: .now() + Self.batchDelay)
                state.withLock { $0.gathering = false }
            }
            var (bytes, dropped) = state.withLock { state -> ([UInt8], Int) in
                var bytes: [UInt8] = []
                swap(&bytes, &state.pending)
                defer { state.dropped = 0 }
                state.writing = true
                return (bytes, state.dropped)
            }
            if dropped > 0 {
                // The dropped lines came after those queued: the note goes at the end.
                let plural = dropped == 1 ? "" : "s"
                bytes.append(contentsOf: "drover: \(dropped) log line\(plural) dropped: output was not being read fast enough\n".utf8)
                dropped = 0
            }
            writeAll(bytes)
            state.withLock { $0.writing = false }
        }
    }

    /// Writes every byte, waiting for the descriptor when it is non-blocking and full; gives up on
    /// an error (a closed pipe: there is no one left to tell).
    private func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                    continue
                }
                let code = errno
                if written < 0 && code == EINTR { continue }
                guard written < 0, code == EAGAIN || code == EWOULDBLOCK else { return }
                var waiting = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                _ = poll(&waiting, 1, 1_000)
            }
        }
    }
}
