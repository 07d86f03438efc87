import Foundation

/// Where log records go: one method, called from any thread.
public protocol LogSink: Sendable {
    /// Takes one record. Must not block for long: it runs on request paths.
    func write(_ record: LogRecord)
}
