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
    let whole = FuzzRun.run(input, split: Int.max, limits: limits)
    let pieces = FuzzRun.run(input, split: split, limits: limits)
    if whole != pieces {
        fatalError("split \(split) changed the outcome: \(whole) vs \(pieces)")
    }
    return 0
}

struct FuzzRun: Equatable, CustomStringConvertible {
    var requests: [String] = []
    var error: HTTPParseError?

    var description: String { "\(requests) error: \(error.map { "\($0)" } ?? "none")" }

    static func run(_ input: [UInt8], split: Int, limits: HTTPParserLimits) -> FuzzRun {
        var parser = HTTPRequestParser(limits: limits)
        var pending: [UInt8] = []
        var result = FuzzRun()
        var head: HTTPRequestHead?
        var position = 0
        while position < input.count {
            let end = input.count - position > split ? position + split : input.count
            pending.append(contentsOf: input[position..<end])
            position = end
            while true {
                var step: (event: HTTPRequestParser.Event, consumed: Int) = (.needMore, 0)
                var failure: HTTPParseError?
                pending.withUnsafeBytes { bytes in
                    do {
                        step = try parser.parse(bytes)
                    } catch {
                        failure = error as? HTTPParseError
                    }
                }
                if let failure {
                    result.error = failure
                    return result
                }
                precondition(step.consumed <= pending.count, "consumed more than given")
                pending.removeFirst(step.consumed)
                switch step.event {
                case .needMore:
                    break
                case .head(let parsed):
                    head = parsed
                    continue
                case .end(let body):
                    if let head {
                        let fields = head.fields.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
                        result.requests.append("\(head.method) \(head.target) \(head.minorVersion) [\(fields)] \(body)")
                    }
                    head = nil
                    continue
                }
                break
            }
        }
        return result
    }
}
