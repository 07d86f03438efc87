import Drover
import Foundation
import Synchronization

/// The outbound `fetch` of replay: answers calls from the fixture's `upstream` list, never from
/// the network (Docs/fixtures.md, `upstream`).
///
/// A call matches an entry when the method and the URL (query string included) are equal, each
/// listed request header is present with that value (names case-insensitive), and `bodyJson`
/// parses equal / `body` is the same text. Entries are tried in order; an entry is used up after
/// `times` matches (`"any"` never). A call that matches nothing throws ``FetchError`` and is kept
/// in ``unmatchedCalls``, so the fixture fails even when the worker swallows the error.
///
/// A `final class` with a `Mutex`: calls arrive from concurrent handler tasks (`waitUntil`), and
/// each match must consume its entry atomically.
package final class UpstreamReplayFetcher: Fetcher {
    private struct State {
        var uses: [Int]
        var callCount = 0
        var unmatched: [UnmatchedUpstreamCall] = []
    }

    /// One outbound call, as matching sees it.
    private struct Call {
        var method: String
        var url: String
        var headers: Headers
        var body: [UInt8]
        /// The body parsed as JSON, when some entry matches on `bodyJson` and it parses.
        var bodyJSON: JSONValue?
    }

    private let entries: [UpstreamEntry]
    private let needsBodyJSON: Bool
    private let clock: ManualWallClock
    private let state: Mutex<State>

    /// Creates a fetcher answering from `entries`, moving `clock` by each answer's `delayMs`.
    package init(entries: [UpstreamEntry], clock: ManualWallClock) {
        self.entries = entries
        self.needsBodyJSON = entries.contains { $0.request.bodyJSON != nil }
        self.clock = clock
        self.state = Mutex(State(uses: Array(repeating: 0, count: entries.count)))
    }

    /// Answers `request` from the first matching entry that is not used up.
    /// - Parameter timeout: ignored: the answer's timing is the entry's `delayMs`.
    /// - Throws: ``FetchError`` `.timeout` / `.connection` for entries simulating a transport
    ///   failure; `.connection` when no entry matches (the call is recorded in ``unmatchedCalls``);
    ///   what reading the request body throws.
    package func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
        let body = try await request.body.bytes()
        let method = UpstreamEntry.normalizedMethod(request.method)
        let url = request.url
        // Parsed once, not once per candidate entry.
        let bodyJSON = needsBodyJSON ? try? JSONParser.parse(body) : nil
        let call = Call(method: method, url: url, headers: request.headers, body: body, bodyJSON: bodyJSON)
        let matched: UpstreamEntry? = state.withLock { state in
            state.callCount += 1
            for entry in entries where !isUsedUp(entry, uses: state.uses[entry.index]) {
                if Self.mismatch(entry, call) == nil {
                    state.uses[entry.index] += 1
                    return entry
                }
            }
            state.unmatched.append(
                UnmatchedUpstreamCall(
                    method: method,
                    url: url,
                    reason: nearestMiss(call, uses: state.uses)
                )
            )
            return nil
        }
        guard let entry = matched else {
            throw FetchError(kind: .connection, message: "no upstream entry of the fixture matches \(method) \(url)")
        }
        if entry.delayMilliseconds > 0 { clock.advance(by: Double(entry.delayMilliseconds) / 1000) }
        switch entry.outcome {
        case .failure(let kind):
            throw FetchError(kind: kind, message: "\(entry.path) simulates a \(kind.rawValue) failure of \(method) \(url)")
        case .response(let status, let headers, let body):
            return Response(status: status, headers: headers, body: Body(bytes: body))
        }
    }

    /// How many calls were made, matched or not.
    package var callCount: Int {
        state.withLock { $0.callCount }
    }

    /// The calls that matched no entry, in order.
    package var unmatchedCalls: [UnmatchedUpstreamCall] {
        state.withLock { $0.unmatched }
    }

    /// The entries with a numeric `times` that were matched fewer times, in order.
    package func unusedEntries() -> [UnusedUpstreamEntry] {
        let uses = state.withLock { $0.uses }
        return entries.compactMap { entry in
            guard case .count(let times) = entry.times, uses[entry.index] < times else { return nil }
            return UnusedUpstreamEntry(
                path: entry.path.description,
                method: entry.request.method,
                url: entry.request.url,
                times: times,
                used: uses[entry.index]
            )
        }
    }

    /// What fails the fixture on the upstream side: every unmatched call, then (when `strict`, the
    /// fixture's `upstreamStrict`) every entry not used up.
    package func failures(strict: Bool) -> [CheckFailure] {
        var failures = unmatchedCalls.map(\.failure)
        if strict { failures += unusedEntries().map(\.failure) }
        return failures
    }

    private func isUsedUp(_ entry: UpstreamEntry, uses: Int) -> Bool {
        if case .count(let times) = entry.times { return uses >= times }
        return false
    }

    /// Why the entry does not match, or `nil` when it does.
    private static func mismatch(_ entry: UpstreamEntry, _ call: Call) -> String? {
        let pattern = entry.request
        if pattern.method != call.method { return "method \(pattern.method) differs" }
        if pattern.url != call.url { return "URL \(pattern.url) differs" }
        for (name, value) in pattern.headers where call.headers.value(for: name) != value {
            return "header \(name.lowercased()) is \(call.headers.value(for: name).map(quoted) ?? "missing"), expected \(quoted(value))"
        }
        if let expected = pattern.bodyJSON {
            guard let actual = call.bodyJSON else { return "the body is not JSON" }
            if let difference = JSONComparison.firstDifference(expected: expected, actual: actual, subset: false, at: JSONPath("bodyJson")) {
                return "the body differs at \(difference)"
            }
        }
        if let expected = pattern.bodyText, expected != String(decoding: call.body, as: UTF8.self) {
            return "the body text differs"
        }
        return nil
    }

    /// The reason the closest entry (same method and URL) did not answer, for the failure message.
    private func nearestMiss(_ call: Call, uses: [Int]) -> String? {
        let candidates = entries.filter { $0.request.method == call.method && $0.request.url == call.url }
        guard !candidates.isEmpty else { return nil }
        for entry in candidates {
            if let reason = Self.mismatch(entry, call) {
                return "\(entry.path): \(reason)"
            }
        }
        let entry = candidates[candidates.count - 1]
        return "\(entry.path) is used up after \(uses[entry.index]) call\(uses[entry.index] == 1 ? "" : "s")"
    }
}
