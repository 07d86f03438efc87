import Drover

/// Which KV namespace object something in memory belongs to, without keeping it alive: what scopes
/// an isolate's in-process state to its bindings — ``JWKSMemoryCache``'s copies, a worker's
/// per-isolate values — so that bindings opened afresh (a replayed fixture, a reloaded
/// `drover dev`) never see what another set cached. Make one when the namespace is first at hand
/// (the type check and cast it takes are not free) and compare it on every lookup.
public final class NamespaceIdentity: @unchecked Sendable {
    // Unchecked: the reference is never dereferenced to call anything — it is only loaded to see
    // whether the object is still alive — so no state of the object is shared across threads.
    private weak var object: AnyObject?
    /// The object's identity; nil for a namespace that is a value (boxed anew each time, it matches
    /// nothing).
    private let id: ObjectIdentifier?

    /// The identity of `namespace`.
    public init(_ namespace: any KVNamespace) {
        if type(of: namespace) is AnyClass {
            let object = namespace as AnyObject
            self.object = object
            id = ObjectIdentifier(object)
        } else {
            object = nil
            id = nil
        }
    }

    /// Whether this and `other` are the same namespace object, still alive (a new object made at a
    /// dead one's address would otherwise pass for it). A namespace that is a value, not an object,
    /// is the same as nothing.
    public func isSame(as other: NamespaceIdentity) -> Bool {
        guard let id, id == other.id else { return false }
        return object != nil
    }

    /// Whether the namespace object is gone.
    public var isGone: Bool { object == nil }
}
