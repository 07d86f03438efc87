import Drover

/// Where one live key's latest record is, and what `list` needs without touching the disk.
struct KVIndexEntry: Sendable {
    /// Offset of the record in the current log generation.
    var recordOffset: Int64
    /// Length of the whole record.
    var recordLength: UInt32
    /// Length of the value (the record's last bytes).
    var valueLength: UInt32
    /// Seconds since the epoch; 0 for none.
    var expiration: Int64
    /// The parsed metadata.
    var metadata: JSONValue?

    /// Offset of the value in the log.
    var valueOffset: Int64 { recordOffset + Int64(recordLength) - Int64(valueLength) }

    /// Whether the key is gone at `now`: expiry is inclusive ("at now == expiration it is gone").
    func isExpired(at now: Int64) -> Bool { expiration != 0 && expiration <= now }
}

/// The in-memory index: a hash map for point lookups and a byte-sorted key array for `list`.
///
/// The sorted array is built on the first `list` (so opening a big namespace does not sort) and
/// kept up to date lazily: new keys wait in `pending` and are merged in at the next `list`;
/// removed keys stay in the array until it holds twice as many keys as the map, then it is
/// filtered. Lookups always go through the map, so a stale array entry is only skipped.
struct KVIndex: Sendable {
    private(set) var entries: [KVKey: KVIndexEntry] = [:]
    private var sorted: [KVKey] = []
    private var sortedBuilt = false
    private var pending: [KVKey] = []
    /// Sum of the live records' lengths.
    private(set) var liveBytes: Int64 = 0
    /// How many live keys carry an expiration (a sweep is pointless at 0).
    private(set) var expiringCount = 0

    init(capacity: Int = 0) {
        entries.reserveCapacity(capacity)
    }

    /// The entry of `key`.
    subscript(key: KVKey) -> KVIndexEntry? { entries[key] }

    /// Records `entry` as the latest for `key`.
    mutating func set(_ key: KVKey, _ entry: KVIndexEntry) {
        if let previous = entries.updateValue(entry, forKey: key) {
            account(previous, sign: -1)
        } else if sortedBuilt {
            pending.append(key)
        }
        account(entry, sign: 1)
    }

    /// Forgets `key`; returns whether it was there.
    @discardableResult
    mutating func remove(_ key: KVKey) -> Bool {
        guard let previous = entries.removeValue(forKey: key) else { return false }
        account(previous, sign: -1)
        return true
    }

    /// Moves `key`'s record to `offset` (after compaction).
    mutating func move(_ key: KVKey, to offset: Int64) {
        entries[key]?.recordOffset = offset
    }

    /// Removes every key expired at `now`; returns how many.
    mutating func removeExpired(at now: Int64) -> Int {
        guard expiringCount > 0 else { return 0 }
        var expired: [KVKey] = []
        for (key, entry) in entries where entry.isExpired(at: now) { expired.append(key) }
        for key in expired { remove(key) }
        return expired.count
    }

    private mutating func account(_ entry: KVIndexEntry, sign: Int) {
        liveBytes += Int64(sign) * Int64(entry.recordLength)
        if entry.expiration != 0 { expiringCount += sign }
    }

    /// Brings the sorted array up to date.
    mutating func prepareSorted() {
        if !sortedBuilt {
            sorted = entries.keys.sorted()
            sortedBuilt = true
            pending = []
            return
        }
        if !pending.isEmpty {
            pending.sort()
            if pending.count <= 32 {
                for key in pending {
                    let position = lowerBound(key.bytes)
                    if position == sorted.count || sorted[position] != key { sorted.insert(key, at: position) }
                }
            } else {
                var merged: [KVKey] = []
                merged.reserveCapacity(sorted.count + pending.count)
                var i = 0
                var j = 0
                while i < sorted.count || j < pending.count {
                    let next: KVKey
                    if j == pending.count || (i < sorted.count && sorted[i] < pending[j]) {
                        next = sorted[i]
                        i += 1
                    } else {
                        next = pending[j]
                        j += 1
                    }
                    if merged.last != next { merged.append(next) }
                }
                sorted = merged
            }
            pending = []
        }
        if sorted.count > 2 * entries.count + 1024 {
            sorted.removeAll { entries[$0] == nil }
        }
    }

    /// The first position whose key is not below `bytes` (call ``prepareSorted()`` first).
    func lowerBound(_ bytes: [UInt8]) -> Int {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if KVKey.compare(sorted[middle].bytes, bytes) < 0 { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The first position whose key is above `bytes` (call ``prepareSorted()`` first).
    func upperBound(_ bytes: [UInt8]) -> Int {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if KVKey.compare(sorted[middle].bytes, bytes) <= 0 { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The number of positions in the sorted array.
    var sortedCount: Int { sorted.count }

    /// The key at a sorted position (it may have been removed since: check ``subscript(_:)``).
    func sortedKey(at position: Int) -> KVKey { sorted[position] }
}
