import Drover
import Foundation

/// One fixture file, validated against the fixture format (Docs/fixtures.md) and turned into typed values.
///
/// Load with ``load(path:)`` or ``parse(bytes:file:)``: every problem is reported, with the file
/// and the JSON path of the offending value, before anything runs. The original document stays in
/// ``source`` for `drover replay --update`.
package struct Fixture: Sendable {
    /// The fixture file as named to `drover replay` (used in every message).
    package var file: String
    /// What the scenario shows.
    package var name: String
    /// The `config` value as written, or `nil` for the project's `wrangler-like.toml`;
    /// see ``configPath(projectRoot:)``.
    package var config: String?
    /// The config environment (`[env.NAME]`), or `nil` for none.
    package var env: String?
    /// The frozen clock's start (``FixtureTime/defaultNow`` when the fixture has no `now`).
    package var now: Date
    /// The secret bindings for this run, in document order, or `nil` when the fixture has no
    /// `secrets` (then `.dev.vars` applies). Values may hold `${NAME}` placeholders until
    /// ``SecretPlaceholderResolver`` resolves them.
    package var secrets: [(name: String, value: String)]?
    /// Overrides of the config's `[vars]`, in document order.
    package var vars: JSONObject
    /// The state before the first step.
    package var given: FixtureGiven
    /// The recorded outbound exchanges, in order.
    package var upstream: [UpstreamEntry]
    /// Whether entries with a numeric `times` that were not used up fail the fixture (default `true`).
    package var upstreamStrict: Bool
    /// The steps, at least one.
    package var steps: [FixtureStep]
    /// The state after the last step, or `nil` when the fixture checks none.
    package var expect: FinalExpectation?
    /// The document as written (placeholders unresolved): what `--update` rewrites.
    package var source: JSONValue
    /// `${NAME}` placeholders substituted by ``SecretPlaceholderResolver``: name to value. Values
    /// written back by `--update` are redacted to their placeholders again.
    package var resolvedPlaceholders: [String: String] = [:]

    /// The top-level keys the fixture format defines.
    package static let topLevelKeys = [
        "name", "config", "env", "now", "secrets", "vars", "given", "upstream", "upstreamStrict", "steps", "expect",
    ]

    /// Reads and validates the fixture at `path`.
    /// - Throws: ``ReplayError`` `.unreadableFile` when the file cannot be read, `.invalidFixture`
    ///   listing every problem otherwise.
    package static func load(path: String) throws(ReplayError) -> Fixture {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReplayError(code: .unreadableFile, message: "\(path): cannot read the fixture file")
        }
        return try parse(bytes: Array(data), file: path)
    }

    /// Parses and validates fixture text.
    /// - Parameters:
    ///   - bytes: the file's contents.
    ///   - file: the name used in messages.
    /// - Throws: ``ReplayError`` `.invalidFixture` listing every problem (JSON syntax errors as
    ///   `FILE:LINE:COLUMN: ...`).
    package static func parse(bytes: [UInt8], file: String) throws(ReplayError) -> Fixture {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw .invalidFixture([
                FixtureIssue(file: file, line: error.line, column: error.column, message: "invalid JSON: \(error.message)")
            ])
        }
        return try parse(document: document, file: file)
    }

    /// Validates an already parsed fixture document.
    /// - Throws: ``ReplayError`` `.invalidFixture` listing every problem.
    package static func parse(document: JSONValue, file: String) throws(ReplayError) -> Fixture {
        var parser = FixtureParser(file: file)
        let fixture = parser.fixture(document)
        guard parser.issues.isEmpty, let fixture else { throw .invalidFixture(parser.issues) }
        return fixture
    }

    /// The config file this fixture runs: `config` relative to the fixture's folder, or from the
    /// project root when it starts with `/`; the project's `wrangler-like.toml` by default.
    package func configPath(projectRoot: String) -> String {
        Self.resolve(config ?? "/wrangler-like.toml", fixtureFile: file, projectRoot: projectRoot)
    }

    /// Resolves a config path written in this fixture (`config`, a `deploy` step) the way
    /// the fixture format says: from the project root when it starts with `/`, else from the fixture's folder.
    package static func resolve(_ path: String, fixtureFile: String, projectRoot: String) -> String {
        if path.hasPrefix("/") {
            return (projectRoot as NSString).appendingPathComponent(String(path.dropFirst()))
        }
        let folder = (fixtureFile as NSString).deletingLastPathComponent
        return (folder as NSString).appendingPathComponent(path)
    }

    /// The secrets as a dictionary (`nil` when the fixture has no `secrets`).
    package var secretValues: [String: String]? {
        secrets.map { Dictionary($0.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last }) }
    }
}
