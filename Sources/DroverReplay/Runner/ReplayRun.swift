import Drover
import Foundation

/// `drover replay`: every fixture under the given paths, in parallel, one result line each, then
/// `N passed, N failed` (Docs/fixtures.md).
package struct ReplayRun: Sendable {
    /// The paths given (files or folders); empty means `Fixtures/` under the project root.
    package var paths: [String]
    /// Runs one fixture.
    package var runner: FixtureRunner
    /// Only fixtures whose name or path contains this.
    package var filter: String?
    /// How many fixtures run at once.
    package var jobs: Int

    package init(paths: [String], runner: FixtureRunner, filter: String? = nil, jobs: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.paths = paths
        self.runner = runner
        self.filter = filter
        self.jobs = max(1, jobs)
    }

    /// Runs every fixture; `onResult` is called as each finishes (in completion order), and the
    /// results come back in path order.
    /// - Throws: ``ReplayError`` when a given path does not exist.
    package func run(
        onResult: @escaping @Sendable (FixtureResult, _ done: Int, _ total: Int) -> Void = { _, _, _ in }
    ) async throws -> [FixtureResult] {
        let given = paths.isEmpty ? [(runner.projectRoot as NSString).appendingPathComponent(FixtureDiscovery.defaultFolder)] : paths
        let files = try FixtureDiscovery.find(given)
        let runner = self.runner
        let filter = self.filter
        var results = [FixtureResult?](repeating: nil, count: files.count)
        var done = 0
        await withTaskGroup(of: (Int, FixtureResult?).self) { group in
            var next = 0
            func startNext() {
                guard next < files.count else { return }
                let index = next
                next += 1
                group.addTask { (index, await runner.run(path: files[index], filter: filter)) }
            }
            for _ in 0..<min(jobs, files.count) { startNext() }
            while let (index, result) = await group.next() {
                results[index] = result
                done += 1
                if let result { onResult(result, done, files.count) }
                startNext()
            }
        }
        return results.compactMap { $0 }
    }
}
