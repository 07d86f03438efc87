import Foundation

/// A value-type logger in swift-log's manner: a label, a minimum level, metadata, and a sink.
///
/// Loggers are passed explicitly (through ``ExecutionContext/logger`` into handlers and bindings),
/// never looked up from a global. Messages are autoclosures, so a message below the level is never
/// built. Never log secrets, bound SQL values or request bodies.
///
/// Records are stamped with the logger's ``clock`` — the runtime gives its loggers the `Env`'s
/// clock, so in replay and tests a record's time is the frozen time — and, when the logging task
/// runs under a ``TraceContext/current`` trace (every entry point of a worker, and its `waitUntil`
/// work, does), carry its `trace_id` and `span_id` as metadata.
public struct Logger: Sendable {
    /// The seven levels, least severe first.
    public enum Level: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
        case trace, debug, info, notice, warning, error, critical

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

        public var description: String {
            switch self {
            case .trace: "trace"
            case .debug: "debug"
            case .info: "info"
            case .notice: "notice"
            case .warning: "warning"
            case .error: "error"
            case .critical: "critical"
            }
        }
    }

    /// Who logs: `drover`, `worker`, `queue`, a binding name.
    public var label: String
    /// Records below this level are dropped.
    public var level: Level
    /// Key-value pairs attached to every record (request id, trace id, queue name).
    public var metadata: [String: String]
    /// Where records go.
    public var sink: any LogSink
    /// What stamps each record's ``LogRecord/date``.
    public var clock: any WallClock

    /// Creates a logger.
    /// - Parameter clock: stamps the records; the real clock unless given (the runtime gives its
    ///   loggers the `Env`'s clock).
    public init(
        label: String,
        level: Level = .info,
        metadata: [String: String] = [:],
        sink: any LogSink,
        clock: any WallClock = SystemWallClock()
    ) {
        self.label = label
        self.level = level
        self.metadata = metadata
        self.sink = sink
        self.clock = clock
    }

    /// The metadata key of the current trace's id (32 lower-case hex digits).
    public static let traceIDKey = "trace_id"
    /// The metadata key of the current span's id (16 lower-case hex digits).
    public static let spanIDKey = "span_id"

    /// A logger that drops everything.
    public static var disabled: Logger {
        Logger(label: "disabled", level: .critical, sink: DiscardingLogSink())
    }

    /// Sets one metadata value.
    public subscript(metadataKey key: String) -> String? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// A copy with another label, keeping level, metadata and sink.
    public func withLabel(_ label: String) -> Logger {
        var copy = self
        copy.label = label
        return copy
    }

    /// Logs `message` at `level` when the level is enabled.
    ///
    /// The record's metadata is the logger's, then `extra` (winning on a clash), then — unless they
    /// already name a `trace_id` — the ``TraceContext/current`` trace's `trace_id` and `span_id`
    /// (kept as ``LogRecord/trace``, rendered only when read).
    public func log(
        _ level: Level,
        _ message: @autoclosure () -> String,
        metadata extra: [String: String] = [:]
    ) {
        guard level >= self.level else { return }
        var merged = metadata
        for (key, value) in extra { merged[key] = value }
        sink.write(
            LogRecord(date: clock.now(), level: level, label: label, message: message(), metadata: merged, trace: TraceContext.current)
        )
    }

    public func trace(_ message: @autoclosure () -> String, metadata: [String: String] = [:]) {
        log(.trace, message(), metadata: metadata)
    }
    public func debug(_ message: @autoclosure () -> String, metadata: [String: String] = [:]) {
        log(.debug, message(), metadata: metadata)
    }
    public func info(_ message: @autoclosure () -> String, metadata: [String: String] = [:]) {
        log(.info, message(), metadata: metadata)
    }
    public func notice(_ message: @autoclosure () -> String, metadata: [String: String] = [:]) {
        log(.notice, message(), metadata: metadata)
    }
    public func warning(_ message: @autoclosure () -> String, metadata: [String: String] = [:]) {
        log(.warning, message(), metadata: metadata)
    }
    public func error(_ message: @autoclosure () -> String, metadata: [String: String] = [:]) {
        log(.error, message(), metadata: metadata)
    }
    public func critical(_ message: @autoclosure () -> String, metadata: [String: String] = [:]) {
        log(.critical, message(), metadata: metadata)
    }
}
