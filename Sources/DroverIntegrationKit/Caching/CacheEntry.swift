/// A cached value as its KV record stores it, JSON:
/// `{"fetchedAt": µs, "freshUntil": µs, "staleUntil": µs, "errorUntil": µs, "value": …}`, instants in
/// microseconds since the Unix epoch, checked against the injected clock.
struct CacheEntry<Value: Codable>: Codable {
    /// When the value was fetched.
    var fetchedAt: Int64
    /// Until then it is answered as it is.
    var freshUntil: Int64
    /// Until then it is answered while a background fetch refreshes it.
    var staleUntil: Int64
    /// Until then it is answered when a fetch fails.
    var errorUntil: Int64
    /// The value.
    var value: Value
}
