import Drover
import DroverRuntime
import Foundation

/// The lines `drover dev` prints when it is ready: the worker, its bindings (never a secret's
/// value), migrations applied, and the URL.
enum Banner {
    /// What `drover dev` prints for `runtime`: the served worker, at `url`, or (`beside`) another
    /// worker of the session, at its `<name>.localhost` `url` and through service bindings.
    static func text(runtime: WorkerRuntime, url: String, beside: Bool = false) -> String {
        let config = runtime.config
        var lines = ["drover \(Commands.version) · worker \"\(runtime.host.workerName)\" from \(config.configPath)"]
        if config.compatibilityDate != nil || !config.compatibilityFlags.isEmpty {
            // Shown, not applied: Drover's behaviour does not change with them.
            var line = "Compatibility date \(config.compatibilityDate ?? "(none)")"
            if !config.compatibilityFlags.isEmpty { line += ", flags \(config.compatibilityFlags.joined(separator: ", "))" }
            lines.append(line + " (shown, not emulated)")
        }
        var bindings: [String] = []
        for namespace in config.kvNamespaces {
            bindings.append("  env.\(namespace.binding)  KV namespace \(namespace.id)")
        }
        for database in config.d1Databases {
            var line = "  env.\(database.binding)  D1 database \(database.databaseName)"
            if let applied = runtime.appliedMigrations[database.binding], !applied.isEmpty {
                line += " (applied \(applied.count) migration\(applied.count == 1 ? "" : "s"): \(applied.joined(separator: ", ")))"
            }
            bindings.append(line)
        }
        for producer in config.queues.producers {
            bindings.append("  env.\(producer.binding)  queue \(producer.queue)")
        }
        for consumer in config.queues.consumers {
            var line = "  consumer  queue \(consumer.queue) (batch \(consumer.maxBatchSize), retries \(consumer.maxRetries)"
            if let deadLetterQueue = consumer.deadLetterQueue { line += ", dead letters to \(deadLetterQueue)" }
            bindings.append(line + ")")
        }
        for service in config.services {
            bindings.append("  env.\(service.binding)  service \(service.service)")
        }
        for namespace in config.durableObjects {
            bindings.append("  env.\(namespace.name)  Durable Object namespace \(namespace.className)")
        }
        for name in runtime.host.env.vars.names {
            if config.devVars[name] != nil {
                bindings.append("  env.\(name)  var (hidden: from \(config.devVarsSource))")
            } else {
                bindings.append("  env.\(name)  var \"\(runtime.host.env.vars[name] ?? "")\"")
            }
        }
        for name in runtime.host.env.bindingNames {
            // A .dev.vars value that replaced a var is listed once, with the vars.
            guard config.vars[name] == nil else { continue }
            if case .secret = runtime.host.env.binding(name) { bindings.append("  env.\(name)  secret (hidden)") }
        }
        if !bindings.isEmpty {
            lines.append("Bindings:")
            lines.append(contentsOf: bindings)
        }
        if !config.notEmulatedBindings.isEmpty {
            lines.append("Declared but not emulated by Drover (using them fails with a message saying so):")
            for binding in config.notEmulatedBindings {
                lines.append("  env.\(binding.name)  \(binding.kind) (\(binding.section))")
            }
        }
        if !config.dev.outbound.isEmpty {
            lines.append("Outbound fetch routed to workers of this session ([[dev.outbound]]):")
            for route in config.dev.outbound { lines.append("  \(route.host) -> worker \"\(route.service)\"") }
        }
        if !config.triggers.crons.isEmpty {
            lines.append("Cron triggers: \(config.triggers.crons.map(\.source).joined(separator: ", ")) (UTC)")
        }
        lines.append("State: \(runtime.options.stateDirectory)")
        if beside {
            lines.append("Running beside it on \(url), and through service bindings to \"\(config.name ?? config.main ?? "")\"")
        } else {
            lines.append("Ready on \(url)")
        }
        return lines.joined(separator: "\n")
    }
}
