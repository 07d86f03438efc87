import Synchronization

/// A value behind a lock, for the few pieces of runtime state set after construction.
package final class LockedValue<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    package init(_ value: Value) {
        storage = Mutex(value)
    }

    package func get() -> Value {
        storage.withLock { $0 }
    }

    package func set(_ value: Value) {
        storage.withLock { $0 = value }
    }

    /// Replaces the value and returns the old one.
    package func exchange(_ value: Value) -> Value {
        storage.withLock { current in
            let old = current
            current = value
            return old
        }
    }
}
