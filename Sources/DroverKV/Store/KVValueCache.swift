/// The in-memory copy of small values that makes a hot `get` a hash lookup instead of a `pread`.
///
/// The policy: values up to ``largestValue`` bytes are kept, each costing its length, its key's
/// length and 64 bytes of bookkeeping; when the next one would pass ``budget`` the whole cache is
/// emptied (cheaper than tracking recency, and a hot set fills it again at once). A value is dropped
/// whenever a record of its key is written or read from the log, so the cache never answers for a
/// stale record; a compaction keeps it, as values do not change when records move.
struct KVValueCache: Sendable {
    /// Bytes of values (plus keys and bookkeeping) kept at most.
    let budget: Int
    /// Values up to this length are kept.
    let largestValue: Int
    private var values: [KVKey: [UInt8]] = [:]
    private var bytes = 0

    init(budget: Int, largestValue: Int) {
        self.budget = budget
        self.largestValue = largestValue
    }

    /// The cached value of `key`.
    subscript(key: KVKey) -> [UInt8]? { values[key] }

    /// Whether a value of `length` bytes is worth keeping.
    func admits(_ length: Int) -> Bool { length <= largestValue }

    /// Keeps `value` for `key` when it is small enough, emptying the cache first if it is full.
    mutating func insert(_ value: [UInt8], for key: KVKey) {
        guard admits(value.count) else { return }
        remove(key)
        let cost = Self.cost(key, value)
        if bytes + cost > budget {
            values.removeAll(keepingCapacity: true)
            bytes = 0
        }
        values[key] = value
        bytes += cost
    }

    /// Drops the value of `key`, if cached.
    mutating func remove(_ key: KVKey) {
        if let old = values.removeValue(forKey: key) { bytes -= Self.cost(key, old) }
    }

    /// Drops every value.
    mutating func removeAll() {
        values = [:]
        bytes = 0
    }

    private static func cost(_ key: KVKey, _ value: [UInt8]) -> Int { value.count + key.bytes.count + 64 }
}
