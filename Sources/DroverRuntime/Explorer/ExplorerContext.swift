import Drover
import Foundation

/// What the dashboard reaches beyond the runtime serving now: the session's tails, its token, and
/// the operations that live above the runtime (a rollback checks the version as `drover rollback`
/// does, in the command line's module).
package struct ExplorerContext: Sendable {
    /// The token every request that changes state must carry in ``tokenHeader``: made at random
    /// when `drover dev` starts and written into the pages it serves, so only those pages (and not
    /// a page of another site, which cannot read them) can send it.
    package var token: String
    /// The live tail's events (`api/local/tail`); nil: no tail.
    package var tail: TailHub?
    /// When the server started, for the overview's uptime.
    package var startedAt: Date
    /// The folder `drover dev --record` writes fixtures into; nil when not recording.
    package var fixturesDirectory: String?
    /// Makes `version` (nil: the one before the newest serving) the active deployment, checked as
    /// `drover rollback` checks it; returns what to show. Nil: rollback is not offered.
    package var rollback: (@Sendable (_ version: Int?, _ message: String?) async throws -> String)?
    /// Replays the fixture at `path` as `drover replay PATH` would; whether it passed and its
    /// report (the failures and their diffs). Nil: replay is not offered.
    package var replayFixture: (@Sendable (_ path: String) async throws -> (passed: Bool, report: String))?

    /// The header carrying ``token``.
    package static let tokenHeader = "x-drover-explorer-token"

    package init(token: String = ExplorerContext.makeToken(), tail: TailHub? = nil, startedAt: Date = Date()) {
        self.token = token
        self.tail = tail
        self.startedAt = startedAt
    }

    /// 32 random bytes in hex, from the system's generator.
    package static func makeToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// Whether `presented` is the token, compared in constant time.
    func accepts(_ presented: String?) -> Bool {
        guard let presented else { return false }
        let a = Array(presented.utf8)
        let b = Array(token.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
