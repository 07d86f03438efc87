import Foundation

/// What happened to one fixture: passed, failed (with every failed check and error), or skipped.
package struct FixtureResult: Sendable {
    /// The verdict.
    package enum Outcome: Sendable, Equatable {
        /// Every check held.
        case passed
        /// A check failed or the fixture could not run.
        case failed
        /// The fixture did not run.
        case skipped
    }

    /// The fixture file as named to `drover replay`.
    package var file: String
    /// The fixture's `name`, or `nil` when it could not be loaded.
    package var name: String?
    /// The checks that did not hold, in the order they ran.
    package var failures: [CheckFailure]
    /// Complete messages for what stopped the fixture from running (validation issues, an
    /// unresolved secret, a runtime error), each already naming the file.
    package var errors: [String]
    /// Whether the fixture was skipped.
    package var skipped: Bool
    /// How long the fixture took.
    package var duration: Duration
    /// What the worker logged while the fixture ran (``MemoryLogSink/lines``).
    package var logLines: [String]

    /// Creates a result.
    package init(
        file: String,
        name: String?,
        failures: [CheckFailure] = [],
        errors: [String] = [],
        skipped: Bool = false,
        duration: Duration = .zero,
        logLines: [String] = []
    ) {
        self.file = file
        self.name = name
        self.failures = failures
        self.errors = errors
        self.skipped = skipped
        self.duration = duration
        self.logLines = logLines
    }

    /// The result of a fixture that could not run because of `error` (one error line per
    /// validation issue).
    package init(file: String, name: String? = nil, error: ReplayError, duration: Duration = .zero) {
        self.init(
            file: file,
            name: name,
            errors: error.issues.isEmpty ? [error.message] : error.issues.map(\.description),
            duration: duration
        )
    }

    /// Failed when anything failed, else skipped or passed.
    package var outcome: Outcome {
        if !failures.isEmpty || !errors.isEmpty { return .failed }
        return skipped ? .skipped : .passed
    }

    /// The line printed for the fixture: `PASS FILE (NAME)`, `FAIL FILE (NAME)` or `SKIP FILE (NAME)`.
    package var line: String {
        let verdict: String
        switch outcome {
        case .passed: verdict = "PASS"
        case .failed: verdict = "FAIL"
        case .skipped: verdict = "SKIP"
        }
        return name.map { "\(verdict) \(file) (\($0))" } ?? "\(verdict) \(file)"
    }

    /// Every failure as one line `FILE: PATH: message`, errors first.
    package var failureMessages: [String] {
        errors + failures.map { $0.message(file: file) }
    }

    /// The detailed account of a failed fixture, printed under its ``line``: each error, each
    /// failed check with its JSON path and the expected and actual values, then the worker's log
    /// lines for this fixture. Empty for a fixture that did not fail.
    package func renderedFailure() -> String {
        guard outcome == .failed else { return "" }
        var text = ""
        for error in errors { text += "  " + error + "\n" }
        for failure in failures {
            text += "  " + failure.message(file: file) + "\n"
            if let expected = failure.expected { text += Self.labelled("expected: ", expected) }
            if let actual = failure.actual { text += Self.labelled("actual:   ", actual) }
        }
        if logLines.isEmpty {
            text += "  worker log: (nothing logged)\n"
        } else {
            text += "  worker log:\n"
            for line in logLines { text += "    | " + line + "\n" }
        }
        return text
    }

    private static func labelled(_ label: String, _ value: String) -> String {
        let lines = value.split(separator: "\n", omittingEmptySubsequences: false)
        let continuation = String(repeating: " ", count: 6 + label.count)
        return "      " + label + lines.joined(separator: "\n" + continuation) + "\n"
    }
}
