/// One check of a fixture that did not hold: the JSON path of the check, what is wrong, and the
/// expected and actual values when there are such.
///
/// ``description`` is `PATH: message`; ``message(file:)`` prefixes the fixture file, giving the
/// form Docs/fixtures.md shows: `Fixtures/shopify/dup.json: steps[2].expect.status: expected 200, got 401`.
package struct CheckFailure: Sendable, Equatable, CustomStringConvertible {
    /// The JSON path of the check (`steps[2].expect.status`), or of the part of the run that failed
    /// (`upstream`, `steps[3]`).
    package var path: String
    /// What is wrong (`expected 200, got 401`).
    package var message: String
    /// The expected value as text, when the failure compares values.
    package var expected: String?
    /// The actual value as text, when the failure compares values.
    package var actual: String?

    /// Creates a failure.
    package init(path: String, message: String, expected: String? = nil, actual: String? = nil) {
        self.path = path
        self.message = message
        self.expected = expected
        self.actual = actual
    }

    /// Creates a failure at a JSON path.
    package init(path: JSONPath, message: String, expected: String? = nil, actual: String? = nil) {
        self.init(path: path.description, message: message, expected: expected, actual: actual)
    }

    /// A failure comparing two values: `expected EXPECTED, got ACTUAL` (each shortened in the message,
    /// kept whole in ``expected`` and ``actual``).
    package static func mismatch(_ path: JSONPath, expected: String, actual: String) -> CheckFailure {
        CheckFailure(path: path, message: "expected \(shorten(expected)), got \(shorten(actual))", expected: expected, actual: actual)
    }

    /// `PATH: message`.
    package var description: String {
        path.isEmpty ? message : "\(path): \(message)"
    }

    /// `FILE: PATH: message`.
    package func message(file: String) -> String {
        "\(file): \(description)"
    }

    /// `text` cut to `limit` characters with `…` when longer, for one-line messages.
    package static func shorten(_ text: String, limit: Int = 200) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }
}
