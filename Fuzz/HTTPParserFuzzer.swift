// libFuzzer entry point for DroverHTTP's request parser (not part of any target).
// Build and run: see Fuzz/README.md, section "HTTP".
//
// Oracle: besides not crashing (ASan), feeding the input whole and feeding it in pieces must give
// the same requests and the same error — the parser's contract is that splits never matter.

@_cdecl("LLVMFuzzerTestOneInput")
public func httpParserFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let split = Int(data[0] % 17) + 1
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let limits = HTTPParserLimits(maxRequestLineSize: 256, maxHeaderSize: 1024, maxHeaderCount: 16, maxBodySize: 4096)
    let whole = ParserHarness.parse(input, split: .max, limits: limits).summary
    let pieces = ParserHarness.parse(input, split: split, limits: limits).summary
    if whole != pieces {
        fatalError("split \(split) changed the outcome: \(whole) vs \(pieces)")
    }
    return 0
}

extension ParserHarness.Outcome {
    /// The requests and the error, as text to compare.
    var summary: String {
        let requests = requests.map { request in
            let fields = request.head.fields.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
            return "\(request.head.method) \(request.head.target) \(request.head.minorVersion) [\(fields)] \(request.body)"
        }
        return "\(requests) error: \(error.map { "\($0)" } ?? "none")"
    }
}
