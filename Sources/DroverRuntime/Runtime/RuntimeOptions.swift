import Drover
import Foundation

/// How a ``WorkerRuntime`` runs: where its state lives, which clock and outbound fetch it uses,
/// where logs go. `drover dev` and fixture replay differ only here.
package struct RuntimeOptions: Sendable {
    /// The state directory (`.drover/state` beside the config unless `--persist-to`).
    package var stateDirectory: String
    /// The clock: real in `dev`, frozen in replay.
    package var clock: any WallClock
    /// Outbound `fetch`: URLSession in `dev`, recorded upstreams in replay.
    package var fetcher: any Fetcher
    /// The logger; its sink receives runtime and worker logs. The runtime stamps records with
    /// ``clock`` whatever clock this logger carries.
    package var logger: Logger
    /// Whether a 500 shows the error (dev) or a generic message.
    package var showsErrorDetails: Bool = true
    /// Whether each request is logged.
    package var logsRequests: Bool = true
    /// Secret bindings by name, already merged (`.dev.vars` over stored secrets, or a fixture's).
    package var secrets: [String: String] = [:]
    /// The values standing for `.dev.vars` (the files', or a fixture's `secrets`): each replaces the
    /// `[vars]` entry of the same name, as in `wrangler dev`.
    package var devVars: [String: String] = [:]
    /// Overrides of `[vars]` that win over everything (`drover dev --var`, a fixture's `vars`).
    package var varOverrides: [String: JSONValue] = [:]
    /// Whether pending D1 migrations are applied when the runtime opens.
    package var appliesMigrations: Bool = true
    /// How many read connections each D1 database keeps.
    package var d1Readers: Int = 4
    /// How long `waitUntil` work may run after the response before it is cancelled (the
    /// platform's 30 seconds).
    package var waitUntilLimit: Duration = .seconds(30)
    /// Where trace and span ids come from: random in `dev`; seeded in replay and tests, so the ids
    /// (and the log lines that carry them) are the same on every run.
    package var traceIDs: TraceIDGenerator = .random

    /// The workers of the `drover dev` session this one belongs to, for service bindings; nil
    /// outside a session (replay, tests), where a binding runs the registered worker.
    package var servicePeers: ServicePeers?

    /// The dev server's `drover tail` clients, told of each request; nil outside `drover dev`.
    package var tail: TailHub?

    package init(stateDirectory: String, clock: any WallClock, fetcher: any Fetcher, logger: Logger) {
        self.stateDirectory = stateDirectory
        self.clock = clock
        self.fetcher = fetcher
        self.logger = logger
    }
}
