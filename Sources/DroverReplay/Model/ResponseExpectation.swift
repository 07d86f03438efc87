import Drover

/// The `expect` of a `request` step: checks on the worker's response (Docs/fixtures.md, `steps`).
/// Every check is optional; see ``check(status:headers:body:)``.
package struct ResponseExpectation: Sendable {
    /// The status code.
    package var status: Int?
    /// Headers that must be present with these values (names case-insensitive); others are ignored.
    package var headers: [(name: String, value: String)] = []
    /// The body must parse to exactly this JSON.
    package var json: JSONValue?
    /// The body must parse to JSON holding every listed key with equal values, recursively.
    package var jsonSubset: JSONValue?
    /// The body text must be exactly this.
    package var body: String?
    /// The body text must contain this.
    package var bodyContains: String?
    /// Where the expectation is (`steps[2].expect`).
    package var path: JSONPath

    /// The keys the fixture format defines for a step's `expect`.
    package static let keys = ["status", "headers", "json", "jsonSubset", "body", "bodyContains"]

    /// An expectation at `path` checking nothing yet.
    package init(path: JSONPath) {
        self.path = path
    }
}
