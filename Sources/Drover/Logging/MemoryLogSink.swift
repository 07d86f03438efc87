import Foundation
import Synchronization
import Glibc

/// Keeps records in memory: for tests and for fixture replay's `logsContain`.
public final class MemoryLogSink: LogSink {
    private let records = Mutex<[LogRecord]>([])

    public init() {}

    public func write(_ record: LogRecord) {
        records.withLock { $0.append(record) }
    }

    /// Everything written so far.
    public var all: [LogRecord] {
        records.withLock { $0 }
    }

    /// Each record's message with its metadata, one string per record.
    public var lines: [String] {
        all.map { String(decoding: StandardErrorLogSink.textLine($0), as: UTF8.self) }
    }

    /// Forgets everything written so far.
    public func removeAll() {
        records.withLock { $0.removeAll() }
    }
}
