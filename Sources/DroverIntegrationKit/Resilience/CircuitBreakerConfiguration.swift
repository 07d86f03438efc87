import Foundation

/// Every knob of a ``CircuitBreaker``, named and defaulted as resilience4j's `CircuitBreakerConfig`
/// names and defaults them (https://resilience4j.readme.io/docs/circuitbreaker), except
/// ``maxWaitDurationInHalfOpenState`` (see there).
///
/// Values out of range are brought into it rather than refused: a window of at least 1 call or
/// second and at most 10,000 calls or 3,600 seconds (the state must fit a small KV value), at least
/// 1 minimum call and 1 to 1,000 half-open calls, thresholds within 0–100.
public struct CircuitBreakerConfiguration: Sendable {
    /// What the breaker computes its rates over while closed.
    public enum SlidingWindow: Sendable, Hashable {
        /// The last `n` calls (resilience4j's `COUNT_BASED`).
        case count(Int)
        /// The calls that ended in the last `seconds` seconds, aggregated in one bucket per second
        /// of the clock (resilience4j's `TIME_BASED`): a call that ended at second *s* counts until
        /// the clock reaches second *s* + `seconds`.
        case time(seconds: Int)
    }

    /// The failure rate, in percent of the calls in the window, at or above which the breaker
    /// opens. Default 50.
    public var failureRateThreshold: Double
    /// The rate of slow calls, in percent, at or above which the breaker opens. Default 100 (only a
    /// window of nothing but slow calls opens it).
    public var slowCallRateThreshold: Double
    /// A call that takes longer than this (on the clock) is slow, whether it succeeded or failed.
    /// Default 60 s.
    public var slowCallDurationThreshold: Duration
    /// The window the rates are computed over while closed. Default the last 100 calls.
    public var slidingWindow: SlidingWindow
    /// How many calls the window must hold before a rate can open the breaker. With a count window,
    /// at most the window's size. Default 100.
    public var minimumNumberOfCalls: Int
    /// How long the breaker stays open before it lets trial calls through. Default 60 s.
    public var waitDurationInOpenState: Duration
    /// How many trial calls go through while half-open. Once they have all ended, their failure
    /// and slow-call rates decide: either at or above its threshold opens the breaker again,
    /// otherwise it closes. Other calls are refused meanwhile. Default 10.
    public var permittedNumberOfCallsInHalfOpenState: Int
    /// How long the breaker may stay half-open waiting for its trial calls to end before it opens
    /// again; zero to wait as long as it takes. Default 60 s — resilience4j's default is zero, but
    /// with the state in KV a trial call whose worker was evicted, or whose update was lost to a
    /// concurrent write, never reports back, and the breaker would stay half-open for good.
    public var maxWaitDurationInHalfOpenState: Duration
    /// Which outcomes are failures: those it calls ``ErrorClassifier/Verdict/retryable`` (by
    /// default transport errors, timeouts, 408, 429, 5xx). A non-retryable outcome counts as a
    /// success (the upstream answered), and a `CancellationError` is not counted at all.
    /// Default ``ErrorClassifier/standard``.
    public var classifier: ErrorClassifier
    /// The KV key of a breaker's state is this followed by its name. Default `circuit-breaker:`.
    public var keyPrefix: String

    /// A configuration; every parameter has the default documented on its property.
    public init(
        failureRateThreshold: Double = 50,
        slowCallRateThreshold: Double = 100,
        slowCallDurationThreshold: Duration = .seconds(60),
        slidingWindow: SlidingWindow = .count(100),
        minimumNumberOfCalls: Int = 100,
        waitDurationInOpenState: Duration = .seconds(60),
        permittedNumberOfCallsInHalfOpenState: Int = 10,
        maxWaitDurationInHalfOpenState: Duration = .seconds(60),
        classifier: ErrorClassifier = .standard,
        keyPrefix: String = "circuit-breaker:"
    ) {
        self.failureRateThreshold = failureRateThreshold
        self.slowCallRateThreshold = slowCallRateThreshold
        self.slowCallDurationThreshold = slowCallDurationThreshold
        self.slidingWindow = slidingWindow
        self.minimumNumberOfCalls = minimumNumberOfCalls
        self.waitDurationInOpenState = waitDurationInOpenState
        self.permittedNumberOfCallsInHalfOpenState = permittedNumberOfCallsInHalfOpenState
        self.maxWaitDurationInHalfOpenState = maxWaitDurationInHalfOpenState
        self.classifier = classifier
        self.keyPrefix = keyPrefix
    }

    /// The largest count window, in calls.
    static let maxWindowCalls = 10_000
    /// The largest time window, in seconds.
    static let maxWindowSeconds = 3_600
    /// The most half-open trial calls.
    static let maxHalfOpenCalls = 1_000

    /// ``slidingWindow`` brought into range.
    var effectiveWindow: SlidingWindow {
        switch slidingWindow {
        case .count(let calls): .count(min(max(1, calls), Self.maxWindowCalls))
        case .time(let seconds): .time(seconds: min(max(1, seconds), Self.maxWindowSeconds))
        }
    }

    /// ``minimumNumberOfCalls`` brought into range: at least 1, and at most a count window's size
    /// (as resilience4j does).
    var effectiveMinimumNumberOfCalls: Int {
        switch effectiveWindow {
        case .count(let calls): min(max(1, minimumNumberOfCalls), calls)
        case .time: max(1, minimumNumberOfCalls)
        }
    }

    /// ``permittedNumberOfCallsInHalfOpenState`` brought into range.
    var effectivePermittedCallsInHalfOpenState: Int {
        min(max(1, permittedNumberOfCallsInHalfOpenState), Self.maxHalfOpenCalls)
    }

    /// `threshold` brought into 0–100 (NaN counts as 100: only a window of nothing but such calls trips it).
    static func clampedRate(_ threshold: Double) -> Double {
        threshold.isNaN ? 100 : min(max(0, threshold), 100)
    }
}
