import Drover

extension JSONValue {
    /// An object of `pairs`, in order: config renderings keep a fixed key order.
    static func members(_ pairs: [(String, JSONValue)]) -> JSONValue {
        .object(JSONObject(pairs))
    }

    /// The JSON text; two-space indented when `pretty`.
    func rendered(pretty: Bool = false) -> String {
        pretty ? JSONSerializer.prettyString(self) : JSONSerializer.string(self)
    }
}
