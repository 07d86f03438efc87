// libFuzzer entry point for W3C trace context parsing (Sources/Drover/Tracing): every request's
// `traceparent` and `tracestate` headers pass through it. Build: see Fuzz/README.md, section Trace context.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTraceContext(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // The first byte splits the rest into a traceparent and a tracestate; the whole input is also
    // tried as each alone.
    let split = bytes.isEmpty ? 0 : min(Int(bytes[0]), bytes.count - 1)
    let parent = String(decoding: bytes.dropFirst().prefix(split), as: UTF8.self)
    let state = String(decoding: bytes.dropFirst(1 + split), as: UTF8.self)
    let whole = String(decoding: bytes, as: UTF8.self)
    for (traceparent, tracestate) in [(parent, state), (whole, whole)] {
        guard let caller = TraceContext(traceparent: traceparent, tracestate: tracestate) else { continue }
        check(caller)
        let child = caller.child(using: TraceIDGenerator(seed: UInt64(size)))
        precondition(child.traceID == caller.traceID && child.parentID == caller.spanID, "a child left its trace")
        check(child)
    }
    return 0
}

private func check(_ trace: TraceContext) {
    let hex = Set("0123456789abcdef".utf8)
    precondition(trace.traceID.utf8.count == 32 && trace.traceID.utf8.allSatisfy(hex.contains), "trace id \(trace.traceID)")
    precondition(trace.spanID.utf8.count == 16 && trace.spanID.utf8.allSatisfy(hex.contains), "span id \(trace.spanID)")
    precondition(trace.traceID != String(repeating: "0", count: 32) && trace.spanID != String(repeating: "0", count: 16), "zero id")
    // What is sent on parses back to the same span.
    guard let again = TraceContext(traceparent: trace.traceparent) else { fatalError("\(trace.traceparent) does not parse") }
    precondition(again.traceID == trace.traceID && again.spanID == trace.spanID && again.sampled == trace.sampled, "round trip")
    if let state = trace.traceState {
        precondition(state.utf8.count <= 512 && state.utf8.allSatisfy { (0x20...0x7E).contains($0) }, "tracestate \(state)")
        precondition(TraceContext(traceparent: trace.traceparent, tracestate: state)?.traceState == state, "tracestate not stable")
    }
}
