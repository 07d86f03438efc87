import DroverIntegrationKit

/// The checks the app makes of short identifiers a client sends (webhook ids, OAuth states,
/// template names) before they become KV keys or log text, in one place.
enum TextRules {
    /// Whether `text` is 1 to `maxLength` bytes of ASCII letters, digits and the characters of `extra`.
    static func isToken(_ text: String, maxLength: Int, extra: String) -> Bool {
        let allowed = Array(extra.utf8)
        let bytes = text.utf8
        return (1...maxLength).contains(bytes.count) && bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default:
                allowed.contains(byte)
            }
        }
    }

    /// A delivery id of a webhook sender (Shopify's UUIDs, Svix's `msg_…`): usable as a KV key.
    static func isDeliveryID(_ text: String) -> Bool { isToken(text, maxLength: 128, extra: "-_.:") }

    /// A value fit for a log line: at most 100 printable ASCII characters, any other one as `?`.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(100).map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? $0 : "?" }))
    }
}

/// What the app's queue consumers share.
enum QueueRetry {
    /// The delay before a failed message's next delivery: 5 s after the first attempt, doubling, at
    /// most 60 s.
    static func delay(afterAttempt attempt: Int) -> Int {
        min(60, 5 << min(max(attempt - 1, 0), 4))
    }
}

extension Error {
    /// Whether this is a local refusal of the kit's policies — a breaker open, no room in a rate
    /// limit or a bulkhead — which says the next call would be refused too.
    var isLocalRefusal: Bool {
        switch self {
        case let error as ResilienceError: error.code == .circuitOpen || error.code == .bulkheadFull
        case let error as RateLimitError: error.code == .limited
        default: false
        }
    }
}
