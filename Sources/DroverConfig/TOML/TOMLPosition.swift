/// A place in a TOML document: 1-based line and 1-based column (counted in Unicode scalars).
package struct TOMLPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The 1-based line number.
    package var line: Int
    /// The 1-based column, counted in Unicode scalars from the start of the line.
    package var column: Int

    /// Creates a position.
    /// - Parameters:
    ///   - line: the 1-based line number.
    ///   - column: the 1-based column.
    package init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `LINE:COL`.
    package var description: String { "\(line):\(column)" }

    /// Orders positions by line, then column.
    package static func < (lhs: TOMLPosition, rhs: TOMLPosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}
