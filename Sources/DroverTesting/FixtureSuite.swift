import Drover
import DroverReplay
import Foundation

/// Runs a folder of fixtures (Docs/fixtures.md) from a user's own `swift test`:
///
/// ```swift
/// @Test func shopifyFixtures() async throws {
///     try await FixtureSuite("Fixtures/shopify", registry: myWorkers).run()
/// }
/// ```
public struct FixtureSuite: Sendable {
    /// The fixture files or folders.
    public var paths: [String]
    /// The workers the fixtures' configs name.
    public var registry: WorkerRegistry
    /// Where `/`-rooted config paths and the default `wrangler-like.toml` are found.
    public var projectRoot: String
    /// Only fixtures whose name or path contains this.
    public var filter: String?

    /// A suite of the fixtures under `paths` (relative to `projectRoot`).
    public init(
        _ paths: String...,
        registry: WorkerRegistry,
        projectRoot: String = FileManager.default.currentDirectoryPath,
        filter: String? = nil
    ) {
        self.paths = paths
        self.registry = registry
        self.projectRoot = projectRoot
        self.filter = filter
    }

    /// Runs every fixture and returns how many passed.
    /// - Throws: ``FixtureSuiteFailure`` listing each failing fixture with its JSON paths and logs.
    @discardableResult
    public func run() async throws -> Int {
        let resolved = paths.map { $0.hasPrefix("/") ? $0 : (projectRoot as NSString).appendingPathComponent($0) }
        let replay = ReplayRun(
            paths: resolved,
            runner: FixtureRunner(projectRoot: projectRoot, registry: registry),
            filter: filter
        )
        let results = try await replay.run()
        let summary = ReplaySummary(results: results)
        guard summary.failed == 0 else {
            let report = results.filter { $0.outcome == .failed }.map { $0.line + "\n" + $0.renderedFailure() }
            throw FixtureSuiteFailure(summary: summary.line, report: report.joined(separator: "\n"))
        }
        return summary.passed
    }
}

/// Fixtures failed: the summary line and each failure.
public struct FixtureSuiteFailure: Error, CustomStringConvertible {
    /// `N passed, N failed`.
    public var summary: String
    /// Each failing fixture's line, failures and log.
    public var report: String

    public var description: String { report + "\n" + summary }
}
