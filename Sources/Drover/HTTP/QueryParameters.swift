/// Query parameters in order, `URLSearchParams`-style.
public struct QueryParameters: Sendable, Sequence {
    /// The name-value pairs, in order, decoded.
    public let pairs: [(name: String, value: String)]

    /// Parses a query string (without `?`).
    public init(_ query: String) {
        var pairs: [(String, String)] = []
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            if let equals = part.firstIndex(of: "=") {
                pairs.append((PercentEncoding.decodeForm(part[..<equals]), PercentEncoding.decodeForm(part[part.index(after: equals)...])))
            } else {
                pairs.append((PercentEncoding.decodeForm(part), ""))
            }
        }
        self.pairs = pairs
    }

    /// The first value of `name`.
    public subscript(name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// Every value of `name`.
    public func all(_ name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        pairs.makeIterator()
    }
}
