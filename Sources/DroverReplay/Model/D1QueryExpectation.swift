import Drover
import Foundation

/// One query in `expect.d1` whose result must be exactly `rows`.
package struct D1QueryExpectation: Sendable {
    /// The D1 binding.
    package var database: String
    /// The SQL to run.
    package var query: String
    /// The rows: column name to value (integers, reals, text, null; blobs as `{"base64": "..."}`).
    package var rows: [JSONObject]
    /// `expect.d1[i]`.
    package var path: JSONPath

    /// The keys the fixture format allows in one D1 check (Docs/fixtures.md).
    package static let keys = ["db", "query", "rows"]

    /// How a blob column value is written in `rows`: `{"base64": "..."}`.
    package static func blob(_ bytes: [UInt8]) -> JSONValue {
        ["base64": .string(Data(bytes).base64EncodedString())]
    }
}
