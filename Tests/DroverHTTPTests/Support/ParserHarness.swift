// Also compiled into the HTTP fuzzer (Fuzz/README.md) together with the parser's sources, where
// there is no DroverHTTP module to import.
#if canImport(DroverHTTP)
@testable import DroverHTTP
#endif

/// Drives an ``HTTPRequestParser`` the way a connection does: bytes arrive in pieces of `split`
/// bytes, unconsumed bytes are presented again at the front with the next piece.
struct ParserHarness {
    struct Parsed {
        var head: HTTPRequestHead
        var body: [UInt8]
        var bodyText: String { String(decoding: body, as: UTF8.self) }
        func value(_ name: String) -> String? { head.fields.first { $0.name == name }?.value }
    }

    struct Outcome {
        var requests: [Parsed] = []
        var error: HTTPParseError?
        var sawHeadWithoutEnd = false
    }

    static func parse(_ text: String, split: Int = .max, limits: HTTPParserLimits = HTTPParserLimits()) -> Outcome {
        parse(Array(text.utf8), split: split, limits: limits)
    }

    static func parse(_ input: [UInt8], split: Int = .max, limits: HTTPParserLimits = HTTPParserLimits()) -> Outcome {
        var parser = HTTPRequestParser(limits: limits)
        var pending: [UInt8] = []
        var outcome = Outcome()
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
                    outcome.error = failure
                    return outcome
                }
                pending.removeFirst(step.consumed)
                switch step.event {
                case .needMore:
                    break
                case .head(let parsed):
                    head = parsed
                    continue
                case .end(let body):
                    if let head { outcome.requests.append(Parsed(head: head, body: body)) }
                    head = nil
                    continue
                }
                break
            }
        }
        outcome.sawHeadWithoutEnd = head != nil
        return outcome
    }
}
