extension QueueExpectation {
    /// Checks a queue's counts.
    /// - Parameters:
    ///   - pending: messages not yet acknowledged, dropped or dead-lettered (delayed ones included).
    ///   - deadLettered: messages this queue sent to its dead-letter queue.
    package func check(pending actualPending: Int, deadLettered actualDeadLettered: Int) -> [CheckFailure] {
        var failures: [CheckFailure] = []
        if let pending, pending != actualPending {
            failures.append(.mismatch(path.appending("pending"), expected: String(pending), actual: String(actualPending)))
        }
        if let deadLettered, deadLettered != actualDeadLettered {
            failures.append(.mismatch(path.appending("deadLettered"), expected: String(deadLettered), actual: String(actualDeadLettered)))
        }
        return failures
    }
}
