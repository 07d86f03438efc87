import Drover

extension ResponseExpectation {
    /// Checks a response already read into memory against every listed expectation.
    /// - Returns: one failure per check that does not hold (the first difference for `json` and
    ///   `jsonSubset`), each at its JSON path; empty when all hold.
    package func check(status actualStatus: Int, headers actualHeaders: Headers, body: [UInt8]) -> [CheckFailure] {
        var failures: [CheckFailure] = []
        if let status, status != actualStatus {
            failures.append(.mismatch(path.appending("status"), expected: String(status), actual: String(actualStatus)))
        }
        for (name, value) in headers {
            // Only the listed headers are checked; names compare case-insensitively (RFC 9110 §5.1).
            let actual = actualHeaders.value(for: name)
            if actual != value {
                failures.append(
                    .mismatch(path.appending("headers").appending(name), expected: quoted(value), actual: actual.map(quoted) ?? "no such header")
                )
            }
        }
        let text = String(decoding: body, as: UTF8.self)
        if json != nil || jsonSubset != nil {
            let parsed = try? JSONParser.parse(body)
            for (key, expected, subset) in [("json", json, false), ("jsonSubset", jsonSubset, true)] {
                guard let expected else { continue }
                guard let parsed else {
                    failures.append(
                        CheckFailure(
                            path: path.appending(key),
                            message: "expected a JSON body, got \(CheckFailure.shorten(quoted(text)))",
                            expected: expected.description,
                            actual: text
                        )
                    )
                    continue
                }
                if let failure = JSONComparison.firstDifference(expected: expected, actual: parsed, subset: subset, at: path.appending(key)) {
                    failures.append(failure)
                }
            }
        }
        if let body = self.body, body != text {
            failures.append(.mismatch(path.appending("body"), expected: quoted(body), actual: quoted(text)))
        }
        if let bodyContains, !text.contains(bodyContains) {
            failures.append(
                CheckFailure(
                    path: path.appending("bodyContains"),
                    message: "expected the body to contain \(quoted(bodyContains)), got \(CheckFailure.shorten(quoted(text)))",
                    expected: bodyContains,
                    actual: text
                )
            )
        }
        return failures
    }

    /// Reads `response`'s body and checks it; see ``check(status:headers:body:)``.
    /// - Throws: what reading the body throws (a failing stream).
    package func check(_ response: Response) async throws -> [CheckFailure] {
        check(status: response.status, headers: response.headers, body: try await response.body.bytes())
    }
}
