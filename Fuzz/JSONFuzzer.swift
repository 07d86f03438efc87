// libFuzzer entry point for Drover's JSON parser (Sources/Drover/JSON): fixtures, request bodies,
// KV values and queue messages all pass through it. Build: see Fuzz/README.md, section JSON.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let value = try? JSONParser.parse(bytes) else { return 0 }
    // Whatever parses must serialize and parse back to an equal value.
    let compact = JSONSerializer.bytes(value)
    guard let again = try? JSONParser.parse(compact) else { fatalError("serialized JSON does not parse: \(compact)") }
    precondition(again == value || containsNaNOrInfinity(value), "round trip changed the value")
    _ = JSONSerializer.prettyString(value)
    return 0
}

/// Non-finite doubles serialize as `null` (as JSON.stringify does), so they do not round-trip.
private func containsNaNOrInfinity(_ value: JSONValue) -> Bool {
    switch value {
    case .double(let double): return !double.isFinite
    case .array(let elements): return elements.contains(where: containsNaNOrInfinity)
    case .object(let object): return object.pairs.contains { containsNaNOrInfinity($0.value) }
    default: return false
    }
}
