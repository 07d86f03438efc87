/// The state of a ``CircuitBreaker``.
///
/// The raw values are what the breaker stores in KV and what a status endpoint shows
/// (`{"state": "half_open"}`).
public enum CircuitBreakerState: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Calls go through; their outcomes fill the sliding window.
    case closed
    /// Calls are refused without being made, until the open wait has passed.
    case open
    /// A limited number of trial calls go through; their outcomes decide between closed and open.
    case halfOpen = "half_open"

    /// The state as the `integration_circuit_breaker_state` gauge reports it: 0 closed, 1
    /// half-open, 2 open — growing with how much of the traffic is refused.
    public var gaugeValue: Int {
        switch self {
        case .closed: 0
        case .halfOpen: 1
        case .open: 2
        }
    }

    /// The raw value: `closed`, `open`, `half_open`.
    public var description: String { rawValue }
}
