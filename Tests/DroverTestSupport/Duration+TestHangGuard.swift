extension Duration {
    /// The timeout of an outbound call in a test whose subject is not time: a guard against a hang,
    /// long enough that a loaded machine never trips it.
    ///
    /// A full run starts hundreds of tests at once, and on a two-core machine Swift's cooperative
    /// pool has two threads: a task can wait many seconds for its turn (17.5 s was measured for a
    /// new task in the first seconds of a run). A chain of awaits under the fetcher's default 30 s
    /// deadline — twenty redirects, a streamed body — then fails for want of CPU, not for anything
    /// the test checks. Tests of the timeout itself set their own, with a server that never answers.
    package static let testHangGuard: Duration = .seconds(300)
}
