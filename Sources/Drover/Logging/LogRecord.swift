import Foundation

/// One log record, as handed to a ``LogSink``.
public struct LogRecord: Sendable {
    public var date: Date
    public var level: Logger.Level
    public var label: String
    public var message: String
    /// The trace the record was logged under; its ids are part of ``metadata``.
    public var trace: TraceContext?
    /// The metadata given by the logger and the call.
    var explicitMetadata: [String: String]

    /// Key-value pairs: the logger's and the call's, and — unless those name a `trace_id` — the
    /// ``trace``'s `trace_id` and `span_id`. (The ids are rendered when this is read: the request
    /// path logs a line per request, and its sinks write the trace without building them.)
    public var metadata: [String: String] {
        get {
            guard let trace, explicitMetadata[Logger.traceIDKey] == nil else { return explicitMetadata }
            var all = explicitMetadata
            all[Logger.traceIDKey] = trace.traceID
            all[Logger.spanIDKey] = trace.spanID
            return all
        }
        set { explicitMetadata = newValue }
    }

    public init(date: Date, level: Logger.Level, label: String, message: String, metadata: [String: String], trace: TraceContext? = nil) {
        self.date = date
        self.level = level
        self.label = label
        self.message = message
        self.explicitMetadata = metadata
        self.trace = trace
    }
}
