/// `[triggers]`: cron schedules that run the worker's `scheduled` entry point.
package struct TriggersConfig: Sendable, Equatable {
    /// The parsed `crons` expressions, in file order.
    package var crons: [CronExpression]

    /// Creates triggers.
    package init(crons: [CronExpression] = []) {
        self.crons = crons
    }
}
