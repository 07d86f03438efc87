import Drover
import Foundation

/// The API's views of the worker: its overview, cron triggers and versions.
extension ExplorerAPI {
    func overviewJSON() async throws -> JSONValue {
        let config = runtime.config
        var bindings: [JSONValue] = []
        for entry in config.kvNamespaces {
            bindings.append(["type": "kv_namespace", "name": .string(entry.binding), "id": .string(entry.id)])
        }
        for entry in config.d1Databases {
            bindings.append([
                "type": "d1", "name": .string(entry.binding), "id": .string(entry.databaseID), "database_name": .string(entry.databaseName),
            ])
        }
        for producer in config.queues.producers {
            bindings.append(["type": "queue", "name": .string(producer.binding), "queue_name": .string(producer.queue)])
        }
        for service in config.services {
            bindings.append(["type": "service", "name": .string(service.binding), "service": .string(service.service)])
        }
        for namespace in config.durableObjects {
            bindings.append(["type": "durable_object_namespace", "name": .string(namespace.name), "class_name": .string(namespace.className)])
        }
        // Secrets by name only: their values never leave the server.
        for name in runtime.options.secrets.keys.sorted() {
            bindings.append(["type": "secret_text", "name": .string(name)])
        }
        for name in config.vars.keys.sorted() {
            bindings.append(["type": "plain_text", "name": .string(name)])
        }
        let metrics = ExplorerMetrics.snapshot(runtime.host.metrics.registry.render())
        let now = runtime.options.clock.now()
        return [
            "worker": .string(runtime.host.workerName), "config_file": .string(config.configPath),
            "state_directory": .string(runtime.options.stateDirectory),
            "started_at": .string(Self.timestamp(context.startedAt)),
            "uptime_seconds": .integer(Int64(max(0, now.timeIntervalSince(context.startedAt)))),
            "versions": .array(
                shares.filter { $0.version != nil }.map { ["version": .integer(Int64($0.version ?? 0)), "percentage": .double($0.percentage)] }
            ),
            "requests_total": metrics["requests_total"] ?? 0,
            "bindings": .array(bindings),
            "crons": .array(runtime.host.cronTriggers.map(JSONValue.string)),
        ]
    }

    /// Each cron trigger with its next fire times on the runtime's clock.
    func cronJSON() -> [JSONValue] {
        let now = runtime.options.clock.now()
        return runtime.config.triggers.crons.map { cron in
            var next: [JSONValue] = []
            var after = now
            for _ in 0..<5 {
                guard let date = cron.nextDate(after: after) else { break }
                next.append(.string(Self.timestamp(date)))
                after = date
            }
            var object: JSONObject = ["cron": .string(cron.source), "next": .array(next)]
            if let last = runtime.host.lastRuns[cron.source] {
                object["last_run"] = [
                    "scheduled_time": .string(Self.timestamp(last.scheduledTime)), "finished_at": .string(Self.timestamp(last.finishedAt)),
                    "outcome": .string(last.outcome.rawValue),
                ]
            }
            return .object(object)
        }
    }

    func versionsJSON() throws -> JSONValue {
        let store = VersionStore(stateDirectory: runtime.options.stateDirectory)
        let versions = try store.versions()
        let deployments = try store.deployments()
        let active = try store.active()
        return [
            "versions": .array(
                versions.reversed().map { version in
                    [
                        "id": .integer(Int64(version.id)), "created_on": .string(version.createdAt), "config_path": .string(version.configPath),
                        "message": version.message.map(JSONValue.string) ?? .null, "config": .string(version.config),
                    ]
                }
            ),
            "deployments": .array(
                deployments.reversed().map { deployment in
                    [
                        "id": .integer(Int64(deployment.id)), "created_on": .string(deployment.createdAt), "source": .string(deployment.source),
                        "message": deployment.message.map(JSONValue.string) ?? .null,
                        "versions": .array(
                            deployment.versions.map { ["version_id": .integer(Int64($0.version)), "percentage": .double($0.percentage)] }
                        ),
                    ]
                }
            ),
            "active": active.map { .integer(Int64($0.id)) } ?? .null,
        ]
    }
}
