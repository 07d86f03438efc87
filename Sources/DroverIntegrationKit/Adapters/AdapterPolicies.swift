import Drover

/// The policies an ``AdapterClient`` wraps around each outbound call of one adapter, applied from
/// the call outwards as resilience4j composes them — `Retry(CircuitBreaker(RateLimiter(TimeLimiter(Bulkhead(call)))))`:
///
/// | layer | what it does to each attempt |
/// |---|---|
/// | ``maxConcurrentCalls`` (bulkhead) | at most this many attempts of this adapter in flight in this process; a full bulkhead refuses (``ResilienceError/Code/bulkheadFull``) |
/// | ``timeout`` | cancels an attempt that takes longer (``ResilienceError/Code/timedOut``, retryable) |
/// | ``rateLimit`` | takes a token before the attempt, waits for one or refuses (``RateLimitError``); feeds the upstream's `Retry-After` and `X-Shopify-Shop-Api-Call-Limit` back into the bucket |
/// | ``circuitBreaker`` | counts every attempt's outcome; while open, refuses at once (``ResilienceError/Code/circuitOpen``) |
/// | ``retry`` | repeats a failed attempt with backoff and jitter or as `Retry-After` asks; its `maxDuration` is the call's whole deadline |
///
/// Read from the inside out — timeout → rate limit → breaker → retry — each layer sees the one
/// before it as "the call": the timeout bounds one attempt, not the waits between attempts; every
/// attempt spends a token, because every attempt costs the upstream one; the breaker counts
/// attempts, so a run of retried 503s opens it, and once open its refusal is not retried (a local
/// refusal is never retryable, see ``ErrorClassifier``); the retry is outermost, so it can wait out
/// a `Retry-After` and try again. A nil layer is left out.
public struct AdapterPolicies: Sendable {
    /// The longest one attempt may take, on `env.clock`; nil for none. Default 10 s.
    public var timeout: Duration?
    /// How failed attempts are repeated. Default: 3 attempts, 200 ms base backoff, 10 s deadline.
    public var retry: RetryPolicy
    /// The breaker's settings (its state lives in the client's KV namespace, named by the adapter's
    /// id); nil for no breaker. Default ``CircuitBreakerConfiguration``'s defaults.
    public var circuitBreaker: CircuitBreakerConfiguration?
    /// The bucket each attempt takes a token from; nil for none (the default).
    public var rateLimit: AdapterRateLimit?
    /// The most attempts of this adapter in flight at once in this process; nil for no limit (the
    /// default).
    public var maxConcurrentCalls: Int?
    /// The longest ``IntegrationAdapter/healthCheck(context:)`` may take before it counts as
    /// failed. Default 5 s.
    public var healthCheckTimeout: Duration

    /// Policies; every parameter has the default documented on its property.
    public init(
        timeout: Duration? = .seconds(10),
        retry: RetryPolicy = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(200), maxDuration: .seconds(10)),
        circuitBreaker: CircuitBreakerConfiguration? = CircuitBreakerConfiguration(),
        rateLimit: AdapterRateLimit? = nil,
        maxConcurrentCalls: Int? = nil,
        healthCheckTimeout: Duration = .seconds(5)
    ) {
        self.timeout = timeout
        self.retry = retry
        self.circuitBreaker = circuitBreaker
        self.rateLimit = rateLimit
        self.maxConcurrentCalls = maxConcurrentCalls
        self.healthCheckTimeout = healthCheckTimeout
    }
}

/// The rate limit of an adapter's calls: a bucket in the client's KV namespace, named by the
/// adapter's id, and what a call does when it is empty.
public struct AdapterRateLimit: Sendable {
    /// Which bucket.
    public enum Kind: Sendable, Equatable {
        /// A ``TokenBucket``: bursts up to the capacity, refilled at the rate.
        case tokenBucket
        /// A ``LeakyBucket``: the shape of Shopify's REST limit (40 calls, leaking 2 a second).
        case leakyBucket
    }

    /// The bucket's kind.
    public var kind: Kind
    /// The most calls the bucket holds.
    public var capacity: Double
    /// Calls refilled (token bucket) or leaked (leaky bucket) per second.
    public var ratePerSecond: Double
    /// Wait for room or refuse at once. Default: wait up to 5 s.
    public var policy: RateLimitPolicy
    /// Whether the upstream's `Retry-After` and `X-Shopify-Shop-Api-Call-Limit` update the bucket
    /// after each attempt. Default true.
    public var followsUpstreamFeedback: Bool

    /// A rate limit; see each property.
    public init(
        _ kind: Kind = .tokenBucket,
        capacity: Double,
        ratePerSecond: Double,
        policy: RateLimitPolicy = .wait(atMost: .seconds(5)),
        followsUpstreamFeedback: Bool = true
    ) {
        self.kind = kind
        self.capacity = capacity
        self.ratePerSecond = ratePerSecond
        self.policy = policy
        self.followsUpstreamFeedback = followsUpstreamFeedback
    }

    /// Shopify's Admin REST API limit on a standard plan: a leaky bucket of 40 calls leaking 2 a
    /// second, following the call-limit header each response carries.
    public static let shopifyREST = AdapterRateLimit(.leakyBucket, capacity: 40, ratePerSecond: 2)
}
