/// The label values of one series, in the family's label order, with their hash computed once:
/// the key a family finds its series by. A caller that records the same label set again and
/// again (the runtime, for each HTTP status) makes it once and pays no hashing per update.
package struct LabelValues: Hashable, Sendable, ExpressibleByArrayLiteral {
    /// The values.
    package let values: [String]
    private let hash: Int

    /// The label set `values`.
    package init(_ values: [String]) {
        self.values = values
        self.hash = values.hashValue
    }

    /// The label set of the literal's values.
    package init(arrayLiteral values: String...) {
        self.init(values)
    }

    /// Whether both hold the same values (the hashes are compared first).
    package static func == (left: LabelValues, right: LabelValues) -> Bool {
        left.hash == right.hash && left.values == right.values
    }

    /// Feeds the hash computed at creation.
    package func hash(into hasher: inout Hasher) {
        hasher.combine(hash)
    }
}
