/// One value of a bulk `get`.
public enum KVBulkValue: Sendable, Equatable {
    case text(String)
    case json(JSONValue)
}
