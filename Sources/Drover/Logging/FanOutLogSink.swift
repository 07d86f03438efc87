import Foundation
import Synchronization
import Glibc

/// Sends each record to several sinks.
public struct FanOutLogSink: LogSink {
    public var sinks: [any LogSink]

    public init(_ sinks: [any LogSink]) {
        self.sinks = sinks
    }

    public func write(_ record: LogRecord) {
        for sink in sinks { sink.write(record) }
    }
}
