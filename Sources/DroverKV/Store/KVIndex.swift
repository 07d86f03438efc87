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
    /// How many live keys carry an expiration.
    private(set) var expiringCount = 0
    /// A min-heap of (expiration, key) for every put with an expiration; entries go stale when the
    /// key is overwritten or deleted and are dropped when they reach the top, so reclaiming costs
    /// O(k log n) for k expired keys instead of a sweep of the whole index.
    private var expiryHeap: [(expiration: Int64, key: KVKey)] = []

    init(capacity: Int = 0) {
        entries.reserveCapacity(capacity)
    }

    /// The entry of `key`.
    subscript(key: KVKey) -> KVIndexEntry? { entries[key] }

    /// How many keys the index holds (expired ones included until they are removed).
    var count: Int { entries.count }

    /// Whether the sorted key array has been built (by a `list`); a compaction builds its new
    /// index's array off the lock when the old one had it, so the first `list` after it does not sort.
    var isSortedBuilt: Bool { sortedBuilt }

    /// Records `entry` as the latest for `key`.
    mutating func set(_ key: KVKey, _ entry: KVIndexEntry) {
        if let previous = entries.updateValue(entry, forKey: key) {
            account(previous, sign: -1)
        } else if sortedBuilt {
            pending.append(key)
        }
        account(entry, sign: 1)
        if entry.expiration != 0 { pushExpiry(entry.expiration, key) }
    }

    /// Forgets `key`; returns whether it was there.
    @discardableResult
    mutating func remove(_ key: KVKey) -> Bool {
        guard let previous = entries.removeValue(forKey: key) else { return false }
        account(previous, sign: -1)
        return true
    }

    /// Removes every key expired at `now`; returns how many.
    mutating func removeExpired(at now: Int64) -> Int {
        var removed = 0
        while let top = expiryHeap.first, top.expiration <= now {
            popExpiry()
            if let entry = entries[top.key], entry.expiration == top.expiration {
                remove(top.key)
                removed += 1
            }
        }
        if expiryHeap.count > 2 * expiringCount + 1024 {
            expiryHeap = entries.compactMap { $0.value.expiration == 0 ? nil : ($0.value.expiration, $0.key) }
            expiryHeap.sort { $0.expiration < $1.expiration }  // a sorted array is a valid min-heap
        }
        return removed
    }

    /// Whether any key may have expired at `now`.
    func mayHaveExpired(at now: Int64) -> Bool {
        guard let top = expiryHeap.first else { return false }
        return top.expiration <= now
    }

    private mutating func pushExpiry(_ expiration: Int64, _ key: KVKey) {
        expiryHeap.append((expiration, key))
        var child = expiryHeap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard expiryHeap[child].expiration < expiryHeap[parent].expiration else { break }
            expiryHeap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popExpiry() {
        let last = expiryHeap.count - 1
        expiryHeap.swapAt(0, last)
        expiryHeap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < expiryHeap.count else { break }
            var smallest = left
            if left + 1 < expiryHeap.count && expiryHeap[left + 1].expiration < expiryHeap[left].expiration {
                smallest = left + 1
            }
            guard expiryHeap[smallest].expiration < expiryHeap[parent].expiration else { break }
            expiryHeap.swapAt(parent, smallest)
            parent = smallest
        }
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
