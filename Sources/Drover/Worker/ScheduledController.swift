import Foundation
import Synchronization

/// The argument of a worker's `scheduled` entry point.
public struct ScheduledController: Sendable {
    /// The cron expression that fired, as written in the config.
    public let cron: String
    /// When the run was scheduled (the clock's now in replay).
    public let scheduledTime: Date
    private let noRetryFlag: ScheduledNoRetryFlag

    /// Creates a controller; the runtime does this.
    package init(cron: String, scheduledTime: Date) {
        self.cron = cron
        self.scheduledTime = scheduledTime
        self.noRetryFlag = ScheduledNoRetryFlag()
    }

    /// Asks the runtime not to retry this run if it fails.
    public func noRetry() {
        noRetryFlag.set()
    }

    /// Whether ``noRetry()`` was called.
    package var noRetryRequested: Bool { noRetryFlag.isSet }
}

private final class ScheduledNoRetryFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}
