import Foundation

/// One deployed version of a worker: an immutable snapshot of its config, numbered from 1, as
/// `wrangler versions upload` makes one on the platform. Because workers are compiled into the
/// `drover` binary, a version names the registered worker it runs (`main`), so a version can move
/// to other handler code without a restart.
package struct WorkerVersion: Codable, Sendable, Equatable {
    /// The version's number, from 1, never reused.
    package var id: Int
    /// When it was made (RFC 3339, UTC).
    package var createdAt: String
    /// The `--message` it was deployed with.
    package var message: String?
    /// The registered worker it runs (the config's `main`).
    package var worker: String
    /// The config's `name`.
    package var name: String?
    /// The config file the snapshot was taken from; relative paths in it (migrations, `.dev.vars`)
    /// resolve beside it.
    package var configPath: String
    /// The `--env` it was deployed with.
    package var environment: String?
    /// SHA-256 of the snapshot, in hex.
    package var configHash: String
    /// The config file's text when it was deployed. No secret is in it: secrets live in
    /// `.dev.vars` and the secret store, read when the version is opened.
    package var config: String

    package init(
        id: Int, createdAt: String, message: String?, worker: String, name: String?, configPath: String, environment: String?,
        configHash: String, config: String
    ) {
        self.id = id
        self.createdAt = createdAt
        self.message = message
        self.worker = worker
        self.name = name
        self.configPath = configPath
        self.environment = environment
        self.configHash = configHash
        self.config = config
    }

    /// `3 (config abc123…, worker integrations): message`, for the CLI.
    package var summary: String {
        "\(id) (config \(configHash.prefix(12)), worker \(worker))" + (message.map { ": \($0)" } ?? "")
    }
}

/// Which versions serve, and how much of the traffic each: one deployment per `drover deploy`,
/// `drover rollback` or `drover versions deploy`, numbered from 1. The last one is active.
package struct Deployment: Codable, Sendable, Equatable {
    /// One version's share of the traffic.
    package struct Share: Codable, Sendable, Equatable {
        package var version: Int
        /// Percent of the requests, 0 to 100; the shares of a deployment add up to 100.
        package var percentage: Double

        package init(version: Int, percentage: Double) {
            self.version = version
            self.percentage = percentage
        }
    }

    package var id: Int
    package var createdAt: String
    package var message: String?
    /// What made it: `deploy`, `rollback` or `versions deploy`.
    package var source: String
    package var versions: [Share]

    package init(id: Int, createdAt: String, message: String?, source: String, versions: [Share]) {
        self.id = id
        self.createdAt = createdAt
        self.message = message
        self.source = source
        self.versions = versions
    }

    /// The version with the largest share (the first of equals): it runs the queue consumers and
    /// cron triggers, which must not run twice.
    package var primaryVersion: Int {
        versions.max { $0.percentage < $1.percentage || ($0.percentage == $1.percentage && $0.version > $1.version) }?.version ?? 0
    }
}
