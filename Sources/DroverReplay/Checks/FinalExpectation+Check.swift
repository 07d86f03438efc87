import Drover
import Foundation

extension FinalExpectation {
    /// Checks `upstreamCalls` against the number of outbound calls the run made
    /// (``UpstreamReplayFetcher/callCount``).
    package func checkUpstreamCalls(_ count: Int) -> [CheckFailure] {
        guard let upstreamCalls, upstreamCalls != count else { return [] }
        return [.mismatch(Self.path.appending("upstreamCalls"), expected: String(upstreamCalls), actual: String(count))]
    }

    /// Checks `logsContain` and `logsNotContain` against everything the run logged, one string per
    /// record (``MemoryLogSink/lines``).
    package func checkLogs(_ lines: [String]) -> [CheckFailure] {
        var failures: [CheckFailure] = []
        let everything = lines.joined(separator: "\n")
        for (index, text) in logsContain.enumerated() where !everything.contains(text) {
            failures.append(
                CheckFailure(
                    path: Self.path.appending("logsContain").appending(index),
                    message: "expected the logs to contain \(quoted(text)), \(lines.isEmpty ? "nothing was logged" : "no line does")",
                    expected: text))
        }
        for (index, text) in logsNotContain.enumerated() {
            if let line = lines.first(where: { $0.contains(text) }) {
                failures.append(
                    CheckFailure(
                        path: Self.path.appending("logsNotContain").appending(index),
                        message: "expected the logs not to contain \(quoted(text)), found in \(CheckFailure.shorten(quoted(line)))",
                        expected: text, actual: line))
            } else if everything.contains(text) {
                failures.append(
                    CheckFailure(
                        path: Self.path.appending("logsNotContain").appending(index),
                        message: "expected the logs not to contain \(quoted(text)), found across lines", expected: text))
            }
        }
        return failures
    }
}

extension KVEntryExpectation {
    /// Checks the stored value of the key.
    /// - Parameter stored: the value's bytes, or `nil` when the key holds nothing (or has expired).
    /// - Returns: the failure, or `nil` when the check holds.
    package func check(stored: [UInt8]?) -> CheckFailure? {
        guard let stored else {
            if check == .absent { return nil }
            return CheckFailure(path: path, message: "expected the key to exist, it is absent")
        }
        let text = String(decoding: stored, as: UTF8.self)
        switch check {
        case .absent:
            return CheckFailure(
                path: path.appending("absent"), message: "expected the key to be absent, it holds \(CheckFailure.shorten(quoted(text)))",
                actual: text)
        case .text(let expected):
            return expected == text ? nil : .mismatch(path.appending("value"), expected: quoted(expected), actual: quoted(text))
        case .bytes(let expected):
            return expected == stored
                ? nil
                : .mismatch(
                    path.appending("base64"), expected: quoted(Data(expected).base64EncodedString()),
                    actual: quoted(Data(stored).base64EncodedString()))
        case .json(let expected), .jsonSubset(let expected):
            let key = check == .json(expected) ? "json" : "jsonSubset"
            guard let parsed = try? JSONParser.parse(stored) else {
                return CheckFailure(
                    path: path.appending(key), message: "expected a JSON value, got \(CheckFailure.shorten(quoted(text)))",
                    expected: expected.description, actual: text)
            }
            return JSONComparison.firstDifference(expected: expected, actual: parsed, subset: key == "jsonSubset", at: path.appending(key))
        }
    }
}

extension D1QueryExpectation {
    /// Checks the query's result rows, each an ordered list of columns and values (integers,
    /// reals, text, null; blobs as ``blob(_:)``).
    package func check(rows: [[(column: String, value: JSONValue)]]) -> [CheckFailure] {
        check(rows: rows.map { JSONObject($0.map { ($0.column, $0.value) }) })
    }

    /// Checks the query's result rows, each a JSON object of column to value (blobs as ``blob(_:)``).
    ///
    /// `rows` is exact (FIXTURES.md): the same number of rows, in order, each with the same set of
    /// columns and equal values.
    package func check(rows actual: [JSONObject]) -> [CheckFailure] {
        let rowsPath = path.appending("rows")
        guard rows.count == actual.count else {
            return [
                CheckFailure(
                    path: rowsPath, message: "expected \(rows.count) rows, got \(actual.count)",
                    expected: JSONValue.array(rows.map(JSONValue.object)).description,
                    actual: JSONValue.array(actual.map(JSONValue.object)).description)
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
                        expected: JSONValue.object(expectedRow).description, actual: JSONValue.object(actualRow).description))
                continue
            }
            for (column, expectedValue) in expectedRow where actualRow[column] != expectedValue {
                failures.append(
                    .mismatch(rowsPath.appending(index).appending(column), expected: expectedValue.description, actual: actualRow[column]!.description))
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

extension QueueExpectation {
    /// Checks a queue's counts.
    /// - Parameters:
    ///   - pending: messages not yet acknowledged, dropped or dead-lettered (delayed ones included).
    ///   - deadLettered: messages this queue sent to its dead-letter queue.
    package func check(pending actualPending: Int, deadLettered actualDeadLettered: Int) -> [CheckFailure] {
        var failures: [CheckFailure] = []
        if let pending, pending != actualPending {
            failures.append(.mismatch(path.appending("pending"), expected: String(pending), actual: String(actualPending)))
        }
        if let deadLettered, deadLettered != actualDeadLettered {
            failures.append(.mismatch(path.appending("deadLettered"), expected: String(deadLettered), actual: String(actualDeadLettered)))
        }
        return failures
    }
}
