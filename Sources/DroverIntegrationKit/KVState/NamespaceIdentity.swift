import Drover

/// Which KV namespace object something in memory belongs to, without keeping it alive: what scopes
/// an isolate's in-process state to its bindings — ``JWKSMemoryCache``'s copies, a worker's
/// per-isolate values — so that bindings opened afresh (a replayed fixture, a reloaded
/// `drover dev`) never see what another set cached. Keep one per entry and compare a namespace at
/// hand with ``refers(to:)``, or an identity made once per call with ``isSame(as:)``.
public final class NamespaceIdentity: @unchecked Sendable {
    // Unchecked: the reference is never dereferenced to call anything — it is only loaded to see
    // whether the object is still alive — so no state of the object is shared across threads.
    private weak var object: AnyObject?
    /// The object's identity; nil for a namespace that is a value (boxed anew each time, it matches
    /// nothing).
    private let id: ObjectIdentifier?

    /// The identity of `namespace`.
    public init(_ namespace: any KVNamespace) {
        let object = Self.object(of: namespace)
        self.object = object
        id = object.map(ObjectIdentifier.init)
    }

    /// Whether this and `other` are the same namespace object, still alive (a new object made at a
    /// dead one's address would otherwise pass for it). A namespace that is a value, not an object,
    /// is the same as nothing.
    public func isSame(as other: NamespaceIdentity) -> Bool {
        guard let id, id == other.id else { return false }
        return object != nil
    }

    /// Whether this is `namespace`, still alive: ``isSame(as:)`` without making an identity of
    /// `namespace` (for a lookup that would make one only to compare it).
    public func refers(to namespace: any KVNamespace) -> Bool {
        guard let id, let candidate = Self.object(of: namespace) else { return false }
        return id == ObjectIdentifier(candidate) && object != nil
    }

    /// `namespace` as an object, or nil when it is a value (boxed anew each time it is cast).
    private static func object(of namespace: any KVNamespace) -> AnyObject? {
        type(of: namespace) is AnyClass ? namespace as AnyObject : nil
    }

    /// Whether the namespace object is gone.
    public var isGone: Bool { object == nil }
}
