/// An outbound call that no `upstream` entry answered: it fails the fixture.
package struct UnmatchedUpstreamCall: Sendable, Equatable {
    /// The call's method.
    package var method: String
    /// The call's absolute URL.
    package var url: String
    /// Why the closest entry (same method and URL) did not match, when there is one.
    package var reason: String?

    /// `upstream: no entry matches POST https://... (upstream[0]: header x is missing)`.
    package var failure: CheckFailure {
        let hint = reason.map { " (\($0))" } ?? ""
        return CheckFailure(path: "upstream", message: "no entry matches \(method) \(url)\(hint)", actual: "\(method) \(url)")
    }
}
