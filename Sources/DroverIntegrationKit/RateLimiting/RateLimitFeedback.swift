import Drover
import Foundation

/// What an upstream's response says about its rate limit, read from its headers:
///
/// - `X-Shopify-Shop-Api-Call-Limit: 32/40` — Shopify's leaky bucket: 32 of 40 calls in the bucket
///   (https://shopify.dev/docs/api/usage/rate-limits). A bucket given this sets its level to match.
/// - `Retry-After` — delay-seconds or an HTTP-date (RFC 9110 §10.2.3), sent with a 429 or a 503.
///   A bucket given this grants nothing until then.
///
/// Values that do not parse are ignored (they are the upstream's, not something to fail a request
/// over): the fields are then `nil`.
public struct RateLimitFeedback: Sendable, Equatable {
    /// Calls spent of the upstream's limit, as `X-Shopify-Shop-Api-Call-Limit` reports them.
    public struct CallLimit: Sendable, Equatable {
        /// Calls in the bucket (spent and not yet leaked).
        public var used: Int
        /// The bucket's size.
        public var limit: Int

        /// `used` of `limit` calls.
        public init(used: Int, limit: Int) {
            self.used = used
            self.limit = limit
        }
    }

    /// The call limit, when the response reported one.
    public var callLimit: CallLimit?
    /// The instant the upstream asks to be called again at, when the response said.
    public var retryAt: Date?

    /// Feedback given directly.
    public init(callLimit: CallLimit? = nil, retryAt: Date? = nil) {
        self.callLimit = callLimit
        self.retryAt = retryAt
    }

    /// The feedback in `headers`, a `Retry-After` in seconds counted from `now`.
    public init(headers: Headers, now: Date) {
        self.callLimit = headers["x-shopify-shop-api-call-limit"].flatMap(Self.callLimit(parsing:))
        self.retryAt = headers["retry-after"].flatMap { Self.retryAt(parsing: $0, now: now) }
    }

    /// Whether there is anything to act on.
    public var isEmpty: Bool { callLimit == nil && retryAt == nil }

    /// `used/limit` (`32/40`), optional whitespace around either number; `nil` unless both are
    /// decimal numbers of at most nine digits and the limit is positive.
    public static func callLimit(parsing value: String) -> CallLimit? {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let used = decimal(parts[0]), let limit = decimal(parts[1]), limit > 0 else { return nil }
        return CallLimit(used: used, limit: limit)
    }

    /// The instant a `Retry-After` value names: `now` plus its delay-seconds, or its HTTP-date.
    ///
    /// Delay-seconds may carry a fraction (`2.0`, as Shopify sends it). A date in the past is
    /// returned as it is (the caller may go ahead now). `nil` for anything else, and for a delay of
    /// more than ten digits.
    public static func retryAt(parsing value: String, now: Date) -> Date? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = delaySeconds(text) { return now.addingTimeInterval(seconds) }
        return HTTPDate.parse(text, now: now)
    }

    private static func decimal(_ text: Substring) -> Int? {
        let digits = text.trimmingCharacters(in: .whitespaces)
        guard (1...9).contains(digits.utf8.count), digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int(digits)
    }

    /// `1*DIGIT [ "." 1*DIGIT ]`, at most ten digits before the point.
    private static func delaySeconds(_ text: String) -> Double? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, (1...10).contains(whole.utf8.count) else { return nil }
        let isDigit: (UInt8) -> Bool = { (0x30...0x39).contains($0) }
        guard whole.utf8.allSatisfy(isDigit) else { return nil }
        if parts.count == 2 {
            let fraction = parts[1]
            guard (1...9).contains(fraction.utf8.count), fraction.utf8.allSatisfy(isDigit) else { return nil }
        }
        return Double(text)
    }
}
