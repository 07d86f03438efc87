import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Drops every record.
public struct DiscardingLogSink: LogSink {
    public init() {}
    public func write(_ record: LogRecord) {}
}

/// Writes each record as one line to standard error with a single `write(2)`, so lines from
/// concurrent requests never interleave.
public struct StandardErrorLogSink: LogSink {
    /// How records are rendered.
    public enum Format: Sendable {
        /// `12:00:01 INFO  worker: message key=value`
        case text
        /// One JSON object per line.
        case json
    }

    public var format: Format

    /// Creates a sink writing `format` lines to standard error.
    public init(format: Format = .text) {
        self.format = format
    }

    public func write(_ record: LogRecord) {
        var line = format == .json ? Self.jsonLine(record) : Self.textLine(record)
        line.append(0x0A)
        line.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }

    /// The text form of a record, without the newline.
    public static func textLine(_ record: LogRecord) -> [UInt8] {
        var text = record.message
        if !record.metadata.isEmpty {
            for key in record.metadata.keys.sorted() {
                text += " \(key)=\(record.metadata[key]!)"
            }
        }
        let prefix: String
        switch record.level {
        case .trace, .debug, .info, .notice: prefix = ""
        case .warning: prefix = "warning: "
        case .error, .critical: prefix = "error: "
        }
        return Array((prefix + text).utf8)
    }

    /// RFC 3339 with milliseconds; a `Sendable` value, made once rather than per line.
    private static let timeFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// The JSON form of a record, without the newline.
    public static func jsonLine(_ record: LogRecord) -> [UInt8] {
        var object = JSONObject()
        object["time"] = .string(record.date.formatted(Self.timeFormat))
        object["level"] = .string(record.level.description)
        object["label"] = .string(record.label)
        object["message"] = .string(record.message)
        for key in record.metadata.keys.sorted() { object[key] = .string(record.metadata[key]!) }
        return JSONSerializer.bytes(.object(object))
    }
}

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
