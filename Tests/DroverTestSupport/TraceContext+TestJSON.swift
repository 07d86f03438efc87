import Drover

extension TraceContext {
    /// The context as a test worker answers it (`traceId`, `spanId`, `parentId`, `traceState`,
    /// `traceparent`), so a test can read from outside what the handler saw.
    package var testJSON: JSONValue {
        .object([
            "traceId": .string(traceID),
            "spanId": .string(spanID),
            "parentId": parentID.map(JSONValue.string) ?? .null,
            "traceState": traceState.map(JSONValue.string) ?? .null,
            "traceparent": .string(traceparent),
        ])
    }
}
