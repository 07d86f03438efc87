import Foundation
import Synchronization
import Glibc

/// Writes each record as one line to standard error, so lines from concurrent requests never
/// interleave. Lines go through ``LogLineWriter/standardError``: the thread that logs never waits on
/// the terminal or pipe (a stalled reader costs dropped lines, reported once writing resumes, never
/// a stalled request).
public struct StandardErrorLogSink: LogSink {
    /// How records are rendered.
    public enum Format: Sendable {
        /// `message key=value trace=<trace id>`, prefixed `warning: ` or `error: ` for those levels
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
        LogLineWriter.standardError.write(line)
    }

    /// Waits (at most `timeout`) until every line logged so far is written: call it before the
    /// process exits.
    public static func flush(timeout: Duration = .seconds(2)) {
        LogLineWriter.standardError.flush(timeout: timeout)
    }

    /// The text form of a record, without the newline.
    ///
    /// Control characters in the message and metadata are escaped (`\n`, `\r`, `\t`, `\u{1B}`, …):
    /// what a request puts in a log line (a path, a query parameter) can neither start a forged
    /// line nor send escape sequences to the user's terminal.
    ///
    /// Metadata follows the message as `key=value`, sorted by key; the trace comes last, as
    /// `trace=` and the trace id alone (the span id is left to the JSON form, to keep lines short).
    public static func textLine(_ record: LogRecord) -> [UInt8] {
        var text = record.message
        let metadata = record.explicitMetadata
        if !metadata.isEmpty {
            for key in metadata.keys.sorted() where key != Logger.traceIDKey && key != Logger.spanIDKey {
                text += " \(key)=\(metadata[key]!)"
            }
            if let trace = metadata[Logger.traceIDKey] { text += " trace=\(trace)" }
        }
        let prefix: String
        switch record.level {
        case .trace, .debug, .info, .notice: prefix = ""
        case .warning: prefix = "warning: "
        case .error, .critical: prefix = "error: "
        }
        var line: [UInt8] = []
        // One allocation for the usual line: prefix, text, ` trace=` and 32 digits, the newline.
        line.reserveCapacity(prefix.utf8.count + text.utf8.count + 40)
        line.append(contentsOf: prefix.utf8)
        appendEscapingControls(text, to: &line)
        if let trace = record.trace, metadata[Logger.traceIDKey] == nil {
            line.append(contentsOf: " trace=".utf8)
            TraceHex.appendTraceID(of: trace, to: &line)
        }
        return line
    }

    /// Appends `text`, C0 and C1 control characters and DEL written as escapes.
    static func appendEscapingControls(_ text: String, to line: inout [UInt8]) {
        // Almost every line has none: copy it whole, scanning the string's own bytes rather than
        // index by index.
        let copied = text.withUTF8Bytes { bytes -> Bool in
            guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 }) else { return false }
            line.append(contentsOf: bytes)
            return true
        }
        if copied { return }
        let utf8 = text.utf8
        var previous: UInt8 = 0
        for byte in utf8 {
            defer { previous = byte }
            switch byte {
            case 0x0A: line.append(contentsOf: [0x5C, 0x6E])  // \n
            case 0x0D: line.append(contentsOf: [0x5C, 0x72])  // \r
            case 0x09: line.append(contentsOf: [0x5C, 0x74])  // \t
            case 0x00..<0x20, 0x7F: appendEscape(UInt32(byte), to: &line)
            case 0xC2: break  // decided by the next byte
            case 0x80..<0xA0 where previous == 0xC2: appendEscape(UInt32(byte), to: &line)  // U+0080–U+009F (C1)
            default:
                if previous == 0xC2 { line.append(0xC2) }
                line.append(byte)
            }
        }
    }

    private static func appendEscape(_ value: UInt32, to line: inout [UInt8]) {
        line.append(contentsOf: "\\u{\(String(value, radix: 16, uppercase: true))}".utf8)
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
