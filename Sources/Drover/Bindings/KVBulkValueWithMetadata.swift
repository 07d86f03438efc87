/// One entry of a bulk `getWithMetadata`: `{value, metadata}`, metadata `nil` (`null`) when `put`
/// stored none (workerd `src/workerd/api/tests/kv-test.js`, `getBulkTest`).
public struct KVBulkValueWithMetadata: Sendable, Equatable {
    /// The value, as text or JSON.
    public var value: KVBulkValue
    /// The metadata given to `put`, if any.
    public var metadata: JSONValue?

    /// An entry of `value` and `metadata`.
    public init(value: KVBulkValue, metadata: JSONValue? = nil) {
        self.value = value
        self.metadata = metadata
    }
}
