/// `[triggers]`: cron schedules that run the worker's `scheduled` entry point.
public struct TriggersConfig: Sendable, Equatable {
    /// The parsed `crons` expressions, in file order.
    public var crons: [CronExpression]

    /// Creates triggers.
    public init(crons: [CronExpression] = []) {
        self.crons = crons
    }
}
