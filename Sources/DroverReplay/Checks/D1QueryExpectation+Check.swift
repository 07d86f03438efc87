import Drover

extension D1QueryExpectation {
    /// Checks the rows a query returned (of D1, or of a Durable Object's SQL), blobs compared as
    /// ``blob(_:)`` writes them.
    package func check(rows: [D1Row]) -> [CheckFailure] {
        check(
            rows: rows.map { row in
                zip(row.columns, row.values).map { column, value -> (column: String, value: JSONValue) in
                    if case .blob(let bytes) = value { return (column, Self.blob(bytes)) }
                    return (column, value.jsonValue)
                }
            })
    }

    /// Checks the query's result rows, each an ordered list of columns and values (integers,
    /// reals, text, null; blobs as ``blob(_:)``).
    package func check(rows: [[(column: String, value: JSONValue)]]) -> [CheckFailure] {
        check(rows: rows.map { JSONObject($0.map { ($0.column, $0.value) }) })
    }

    /// Checks the query's result rows, each a JSON object of column to value (blobs as ``blob(_:)``).
    ///
    /// `rows` is exact (Docs/fixtures.md): the same number of rows, in order, each with the same set of
    /// columns and equal values.
    package func check(rows actual: [JSONObject]) -> [CheckFailure] {
        let rowsPath = path.appending("rows")
        guard rows.count == actual.count else {
            return [
                CheckFailure(
                    path: rowsPath,
                    message: "expected \(rows.count) rows, got \(actual.count)",
                    expected: JSONValue.array(rows.map(JSONValue.object)).description,
                    actual: JSONValue.array(actual.map(JSONValue.object)).description
                )
            ]
        }
        var failures: [CheckFailure] = []
        for (index, pair) in zip(rows, actual).enumerated() {
            let (expectedRow, actualRow) = pair
            if Set(expectedRow.keys) != Set(actualRow.keys) {
                failures.append(
                    CheckFailure(
                        path: rowsPath.appending(index),
                        message: "expected columns \(expectedRow.keys.joined(separator: ", ")), got \(actualRow.keys.joined(separator: ", "))",
                        expected: JSONValue.object(expectedRow).description,
                        actual: JSONValue.object(actualRow).description
                    )
                )
                continue
            }
            for (column, expectedValue) in expectedRow where actualRow[column] != expectedValue {
                failures.append(
                    .mismatch(
                        rowsPath.appending(index).appending(column),
                        expected: expectedValue.description,
                        actual: actualRow[column]!.description
                    )
                )
            }
        }
        return failures
    }

    /// The failure for a query that could not run.
    /// - Parameter error: the database's message.
    package func queryFailed(_ error: String) -> CheckFailure {
        CheckFailure(path: path.appending("query"), message: "the query failed: \(error)")
    }
}
