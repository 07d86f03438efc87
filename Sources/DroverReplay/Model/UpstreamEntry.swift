import Drover
import Foundation

/// One recorded outbound exchange of the fixture's `upstream` list.
package struct UpstreamEntry: Sendable {
    /// How often the entry may answer.
    package enum Times: Sendable, Equatable {
        /// Used up after this many matches (at least 1).
        case count(Int)
        /// Never used up (`"any"`).
        case any
    }

    /// What a call must look like to match.
    package struct RequestPattern: Sendable {
        /// The method (Fetch-normalized: `get` and `GET` are the same).
        package var method: String
        /// The absolute URL, query string included, as `Request.url` spells it.
        package var url: String
        /// Headers that must be present with exactly these values (names case-insensitive).
        package var headers: [(name: String, value: String)]
        /// When set, the call's body must parse to equal JSON.
        package var bodyJSON: JSONValue?
        /// When set, the call's body text must be equal.
        package var bodyText: String?
    }

    /// What the entry answers.
    package enum Outcome: Sendable {
        /// An HTTP response.
        case response(status: Int, headers: Headers, body: [UInt8])
        /// A transport failure: ``FetchError/Kind/timeout`` or ``FetchError/Kind/connection``.
        case failure(FetchError.Kind)
    }

    /// The entry's position in `upstream`.
    package var index: Int
    /// The request pattern.
    package var request: RequestPattern
    /// The answer.
    package var outcome: Outcome
    /// How far the answer moves the frozen clock, in milliseconds.
    package var delayMilliseconds: Int
    /// How often the entry may answer.
    package var times: Times

    /// `upstream[index]`.
    package var path: JSONPath { JSONPath("upstream").appending(index) }

    /// The method as Fetch normalizes it: `DELETE GET HEAD OPTIONS POST PUT` upper-cased whatever
    /// their case, other methods kept as written (Fetch standard, "normalize a method").
    package static func normalizedMethod(_ method: String) -> String {
        let upper = method.uppercased()
        return ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"].contains(upper) ? upper : method
    }
}
