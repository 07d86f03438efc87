/// An `upstream` entry with a numeric `times` that the run matched fewer times: it fails the
/// fixture unless `"upstreamStrict": false`.
package struct UnusedUpstreamEntry: Sendable, Equatable {
    /// `upstream[i]`.
    package var path: String
    /// The entry's method.
    package var method: String
    /// The entry's URL.
    package var url: String
    /// The entry's `times`.
    package var times: Int
    /// How many calls it answered.
    package var used: Int

    /// `upstream[1]: expected 2 calls to POST https://..., got 1`.
    package var failure: CheckFailure {
        CheckFailure(
            path: path,
            message: "expected \(times) call\(times == 1 ? "" : "s") to \(method) \(url), got \(used)",
            expected: String(times),
            actual: String(used)
        )
    }
}
