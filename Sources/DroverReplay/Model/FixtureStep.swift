import Drover
import Foundation

/// One step of a fixture: exactly one action (Docs/fixtures.md, `steps`).
package struct FixtureStep: Sendable {
    /// What the step does.
    package enum Action: Sendable {
        /// Send one request to the worker's `fetch`, then check `expect` when present.
        case request(FixtureRequest, expect: ResponseExpectation?)
        /// Deliver pending messages until nothing is deliverable: every queue (`nil`) or the named ones.
        case drainQueues([String]?)
        /// Move the frozen clock forward by this many seconds.
        case advance(TimeInterval)
        /// Run the `scheduled` handler once for this cron expression.
        case scheduled(String)
        /// Switch to the config at this path (resolve with ``Fixture/resolve(_:fixtureFile:projectRoot:)``).
        case deploy(String)
    }

    /// The step kinds, as their action keys.
    package static let actionKeys = ["request", "drainQueues", "advance", "scheduled", "deploy"]

    /// The step's position in `steps` (0-based).
    package var index: Int
    /// The action.
    package var action: Action

    /// `steps[index]`.
    package var path: JSONPath { JSONPath("steps").appending(index) }
}

/// The request of a `request` step.
package struct FixtureRequest: Sendable {
    /// The method as written (`GET` when absent).
    package var method: String
    /// The path and query string, starting with `/`.
    package var path: String
    /// The headers, in document order.
    package var headers: Headers
    /// The body bytes (`body` text, compact `json`, or decoded `base64`); empty for none.
    package var body: [UInt8]
    /// Whether the body came from `json` (then `content-type: application/json` is sent unless a
    /// header says otherwise).
    package var bodyIsJSON: Bool

    /// The request the worker receives: host `localhost`, `http`.
    package func makeRequest() -> Request {
        var headers = headers
        if bodyIsJSON, !headers.contains("content-type") { headers.set("content-type", "application/json") }
        return Request(method: method, scheme: "http", authority: "localhost", target: path, headers: headers, body: Body(bytes: body))
    }
}
