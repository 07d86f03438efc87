/// The counts closing a replay run, and its exit status.
package struct ReplaySummary: Sendable, Equatable {
    /// Fixtures that passed.
    package var passed: Int
    /// Fixtures that failed.
    package var failed: Int
    /// Fixtures that were skipped.
    package var skipped: Int

    /// Counts `results`.
    package init(results: [FixtureResult]) {
        passed = results.count { $0.outcome == .passed }
        failed = results.count { $0.outcome == .failed }
        skipped = results.count { $0.outcome == .skipped }
    }

    /// The closing line, exactly `N passed, N failed`, followed by `, N skipped` only when some
    /// were (Docs/fixtures.md).
    package var line: String {
        var text = "\(passed) passed, \(failed) failed"
        if skipped > 0 { text += ", \(skipped) skipped" }
        return text
    }

    /// 0 when none failed, else 1 (Docs/fixtures.md; the CLI's exit codes, Docs/architecture.md).
    package var exitStatus: Int32 {
        failed == 0 ? 0 : 1
    }
}
