import Drover

/// How an upstream is doing, as an adapter's ``IntegrationAdapter/healthCheck(context:)`` sees it.
public struct AdapterHealth: Sendable, Hashable {
    /// The upstream's condition.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Answering as it should.
        case healthy
        /// Answering, but slowly or in part (a read-only mode, a lagging replica).
        case degraded
        /// Not usable.
        case unhealthy
    }

    /// The upstream's condition.
    public var status: Status
    /// A short explanation, safe to show on a health page (never a secret, never a raw body).
    public var message: String?

    /// A health of `status`, with `message` when there is more to say.
    public init(_ status: Status, message: String? = nil) {
        self.status = status
        self.message = message
    }
}

/// The answer of ``AdapterClient/health()``: one check per adapter and their verdict, shaped as the
/// sample app's `GET /health` returns it:
///
/// ```json
/// {"status": "degraded",
///  "checks": {"shopify": {"status": "warn", "circuit_breaker": "half_open", "latency_ms": 12, "version": "2024-10"}}}
/// ```
///
/// A check is `fail` when its circuit breaker is open, or its probe says unhealthy, throws or
/// takes longer than its timeout; `warn` when the breaker is half-open or the probe says degraded;
/// `pass` otherwise. The whole is `healthy` when every check passes, `unhealthy` when any fails,
/// `degraded` otherwise (and `healthy` with no adapters).
public struct HealthReport: Sendable, Hashable {
    /// The verdict on the whole.
    public enum Status: String, Sendable, Hashable {
        case healthy, degraded, unhealthy
    }

    /// One adapter's check.
    public struct Check: Sendable, Hashable {
        /// The check's outcome.
        public enum Status: String, Sendable, Hashable, Comparable {
            case pass, warn, fail

            private var rank: Int {
                switch self {
                case .pass: 0
                case .warn: 1
                case .fail: 2
                }
            }

            public static func < (lhs: Status, rhs: Status) -> Bool { lhs.rank < rhs.rank }
        }

        /// pass, warn or fail.
        public var status: Status
        /// The adapter's version.
        public var version: String
        /// The breaker's state; nil when the adapter has no breaker or its state could not be read.
        public var circuitBreaker: CircuitBreakerState?
        /// How long the probe took, in milliseconds on the client's clock.
        public var latencyMilliseconds: Double
        /// Why the check did not pass, or what the probe said.
        public var message: String?

        /// A check; see each property.
        public init(status: Status, version: String, circuitBreaker: CircuitBreakerState?, latencyMilliseconds: Double, message: String?) {
            self.status = status
            self.version = version
            self.circuitBreaker = circuitBreaker
            self.latencyMilliseconds = latencyMilliseconds
            self.message = message
        }
    }

    /// The checks, by adapter id, in the order the adapters were registered.
    public var checks: [(id: String, check: Check)]

    /// The report of `checks`.
    public init(checks: [(id: String, check: Check)]) {
        self.checks = checks
    }

    /// The verdict: healthy when every check passes, unhealthy when any fails, degraded otherwise.
    public var status: Status {
        switch checks.map(\.check.status).max() ?? .pass {
        case .pass: .healthy
        case .warn: .degraded
        case .fail: .unhealthy
        }
    }

    /// The check of adapter `id`.
    public subscript(id: String) -> Check? {
        checks.first { $0.id == id }?.check
    }

    /// `{"status": …, "checks": {"<adapter id>": {"status", "version", "circuit_breaker",
    /// "latency_ms", "message"}}}`, the latency in whole milliseconds; members without a value
    /// are left out.
    public var json: JSONValue {
        var members = JSONObject()
        for (id, check) in checks {
            var member = JSONObject([("status", .string(check.status.rawValue)), ("version", .string(check.version))])
            if let state = check.circuitBreaker { member["circuit_breaker"] = .string(state.rawValue) }
            let latency = check.latencyMilliseconds.isFinite ? min(max(check.latencyMilliseconds.rounded(), 0), 1e12) : 0
            member["latency_ms"] = .integer(Int64(latency))
            if let message = check.message { member["message"] = .string(message) }
            members[id] = .object(member)
        }
        return .object(JSONObject([("status", .string(status.rawValue)), ("checks", .object(members))]))
    }

    /// The report as a `GET /health` answer: ``json`` with 200 when healthy or degraded (still
    /// serving), 503 when unhealthy (so a load balancer or uptime check sees it), never cached.
    public func response() -> Response {
        var response = Response.json(json, status: status == .unhealthy ? 503 : 200)
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    public static func == (lhs: HealthReport, rhs: HealthReport) -> Bool {
        lhs.checks.elementsEqual(rhs.checks) { $0.id == $1.id && $0.check == $1.check }
    }

    public func hash(into hasher: inout Hasher) {
        for (id, check) in checks {
            hasher.combine(id)
            hasher.combine(check)
        }
    }
}
