/// What a bucket does, per call, when the tokens asked for are not there yet.
public enum RateLimitPolicy: Sendable, Equatable {
    /// Fail at once with a ``RateLimitError`` (code `.limited`) carrying the retry-after.
    case refuse
    /// Reserve the tokens and sleep on the clock until they are due, when that is at most
    /// `atMost` away; when it is further, fail as ``refuse`` does, taking nothing.
    case wait(atMost: Duration)
}
