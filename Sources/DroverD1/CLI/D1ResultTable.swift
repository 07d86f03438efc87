import Drover

/// Results as `wrangler d1 execute` prints them: one box-drawn table per result that has columns,
/// header row first, cells left-aligned and padded to the widest cell.
package enum D1ResultTable {
    /// Every result with columns as a table, separated by a blank line; results without columns
    /// (an `INSERT`, a `CREATE`) print nothing.
    package static func render(_ results: [D1Result]) -> String {
        results.filter { !$0.columns.isEmpty }.map(render).joined(separator: "\n")
    }

    /// One result as a table (empty text when it has no columns).
    package static func render(_ result: D1Result) -> String {
        guard !result.columns.isEmpty else { return "" }
        let rows = result.results.map { row in row.values.map(cell) }
        var widths = result.columns.map(\.count)
        for row in rows {
            for (index, text) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], text.count)
            }
        }
        func line(_ left: String, _ middle: String, _ right: String) -> String {
            left + widths.map { String(repeating: "─", count: $0 + 2) }.joined(separator: middle) + right + "\n"
        }
        func content(_ cells: [String]) -> String {
            var text = "│"
            for (index, width) in widths.enumerated() {
                let value = index < cells.count ? cells[index] : ""
                text += " " + value + String(repeating: " ", count: width - value.count) + " │"
            }
            return text + "\n"
        }
        var output = line("┌", "┬", "┐")
        output += content(result.columns)
        output += line("├", "┼", "┤")
        for row in rows { output += content(row) }
        output += line("└", "┴", "┘")
        return output
    }

    /// A value as JavaScript's `String(value)` writes it (blobs as their bytes joined with `,`),
    /// with line breaks shown as spaces so the table stays aligned.
    static func cell(_ value: D1Value) -> String {
        let text: String
        switch value {
        case .null: text = "null"
        case .integer(let integer): text = String(integer)
        case .real(let double): text = D1ValueBinding.javaScriptString(.double(double))
        case .text(let string): text = string
        case .blob(let bytes): text = bytes.map(String.init).joined(separator: ",")
        }
        return String(text.map { $0.isNewline ? " " : $0 })
    }

    /// Results as D1's JSON array, pretty-printed as `--json` prints it.
    package static func json(_ results: [D1Result]) -> String {
        JSONSerializer.prettyString(D1Result.jsonArray(results))
    }
}
