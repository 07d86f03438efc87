/// The W3C Trace Context of one invocation (https://www.w3.org/TR/trace-context/): the trace it
/// belongs to, its own span, the caller's span it continued, and the caller's `tracestate`.
///
/// The runtime gives every entry point one through ``ExecutionContext/trace``: a `fetch` whose
/// request carries a valid `traceparent` continues that trace (same trace id, a new span whose
/// parent is the caller's); any other `fetch`, each scheduled run and each queue batch starts a new
/// trace. While the entry point and its `waitUntil` work run, it is ``current``, so every log line
/// they write — the handler's through `ctx.logger`, the runtime's own — carries its `trace_id` and
/// `span_id`, and a queue message sent meanwhile keeps its ``traceparent``
/// (``Message/trace`` on the consumer's side).
///
/// For an outbound call that should join the trace, send ``traceparent`` (and ``traceState``, when
/// present, as `tracestate`):
///
/// ```swift
/// var headers = Headers()
/// headers.set("traceparent", ctx.trace.traceparent)
/// if let state = ctx.trace.traceState { headers.set("tracestate", state) }
/// ```
public struct TraceContext: Sendable, Hashable, CustomStringConvertible {
    /// The trace id's high and low 64 bits; never both zero.
    let traceHigh: UInt64
    let traceLow: UInt64
    /// This span's id; never zero.
    let span: UInt64
    /// The caller's span id; zero when the trace started here.
    let parent: UInt64
    /// Whether the caller may have recorded its part of the trace (trace-flags bit 0).
    public let sampled: Bool
    /// The caller's `tracestate`, passed through as received (checked and size-bounded, see
    /// ``init(traceparent:tracestate:)``); `nil` when there was none or it was invalid.
    public let traceState: String?

    init(traceHigh: UInt64, traceLow: UInt64, span: UInt64, parent: UInt64, sampled: Bool, traceState: String?) {
        self.traceHigh = traceHigh
        self.traceLow = traceLow
        self.span = span
        self.parent = parent
        self.sampled = sampled
        self.traceState = traceState
    }

    /// The trace this invocation belongs to, during an entry point of a worker and its `waitUntil`
    /// work (an unstructured `Task {}` inherits it; `Task.detached` does not); `nil` elsewhere.
    /// ``Logger`` reads it, and so does the queue binding when it stores a message.
    @TaskLocal public static var current: TraceContext?

    /// The trace id: 32 lower-case hex digits, never all zeros.
    public var traceID: String { TraceHex.string(traceHigh, traceLow) }

    /// This span's id: 16 lower-case hex digits, never all zeros.
    public var spanID: String { TraceHex.string(span) }

    /// The span id of the caller this context continued (the `parent-id` of its `traceparent`);
    /// `nil` when the trace started here.
    public var parentID: String? { parent == 0 ? nil : TraceHex.string(parent) }

    /// The `traceparent` header value for a call made from this span: version `00`, this trace id,
    /// this span as the parent, and the sampled flag (`00-<trace-id>-<span-id>-01`).
    public var traceparent: String {
        TraceHex.traceparent(traceHigh, traceLow, span: span, sampled: sampled)
    }

    /// A new trace with a new span and no parent, sampled: the start of a trace.
    /// - Parameter ids: where the ids come from (``TraceIDGenerator/random`` but in replay and tests).
    public static func start(using ids: TraceIDGenerator) -> TraceContext {
        let (high, low, span) = ids.nextTraceAndSpanID()
        return TraceContext(traceHigh: high, traceLow: low, span: span, parent: 0, sampled: true, traceState: nil)
    }

    /// A new span of this trace, with this span as its parent; the sampled flag and `tracestate`
    /// are kept.
    public func child(using ids: TraceIDGenerator) -> TraceContext {
        TraceContext(traceHigh: traceHigh, traceLow: traceLow, span: ids.nextSpanID(), parent: span, sampled: sampled, traceState: traceState)
    }

    /// The context of an invocation called with these headers: a child of the caller's span when
    /// `traceparent` is valid (with `tracestate` passed through), otherwise a new trace — an
    /// invalid `traceparent` is ignored, as the specification requires, and its `tracestate` with it.
    public static func continuing(traceparent: String?, tracestate: String?, using ids: TraceIDGenerator) -> TraceContext {
        if let traceparent, let caller = TraceContext(traceparent: traceparent, tracestate: tracestate) {
            return caller.child(using: ids)
        }
        return start(using: ids)
    }

    /// `traceparent` with the parent it continued, for logs and test failures.
    public var description: String {
        parent == 0 ? traceparent : "\(traceparent) (parent \(TraceHex.string(parent)))"
    }
}
