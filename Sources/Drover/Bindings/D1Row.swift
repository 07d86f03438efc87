import Foundation

/// One result row: columns in order, names possibly repeated (a join's `id` and `id`).
public struct D1Row: Sendable, Hashable {
    /// Column names, in order.
    public var columns: [String]
    /// Values, one per column.
    public var values: [D1Value]

    /// Creates a row; `values` has one value per column.
    public init(columns: [String], values: [D1Value]) {
        self.columns = columns
        self.values = values
    }

    /// The value of the last column named `name` (a JavaScript object keeps the last duplicate).
    public subscript(name: String) -> D1Value? {
        guard let index = columns.lastIndex(of: name) else { return nil }
        return values[index]
    }
}
