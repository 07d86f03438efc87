import Drover
import Foundation

extension FinalExpectation {
    /// Checks `upstreamCalls` against the number of outbound calls the run made
    /// (``UpstreamReplayFetcher/callCount``).
    package func checkUpstreamCalls(_ count: Int) -> [CheckFailure] {
        guard let upstreamCalls, upstreamCalls != count else { return [] }
        return [.mismatch(Self.path.appending("upstreamCalls"), expected: String(upstreamCalls), actual: String(count))]
    }

    /// Checks `logsContain` and `logsNotContain` against everything the run logged, one string per
    /// record (``MemoryLogSink/lines``).
    package func checkLogs(_ lines: [String]) -> [CheckFailure] {
        var failures: [CheckFailure] = []
        let everything = lines.joined(separator: "\n")
        for (index, text) in logsContain.enumerated() where !everything.contains(text) {
            failures.append(
                CheckFailure(
                    path: Self.path.appending("logsContain").appending(index),
                    message: "expected the logs to contain \(quoted(text)), \(lines.isEmpty ? "nothing was logged" : "no line does")",
                    expected: text
                )
            )
        }
        for (index, text) in logsNotContain.enumerated() {
            if let line = lines.first(where: { $0.contains(text) }) {
                failures.append(
                    CheckFailure(
                        path: Self.path.appending("logsNotContain").appending(index),
                        message: "expected the logs not to contain \(quoted(text)), found in \(CheckFailure.shorten(quoted(line)))",
                        expected: text,
                        actual: line
                    )
                )
            } else if everything.contains(text) {
                failures.append(
                    CheckFailure(
                        path: Self.path.appending("logsNotContain").appending(index),
                        message: "expected the logs not to contain \(quoted(text)), found across lines",
                        expected: text
                    )
                )
            }
        }
        return failures
    }
}
