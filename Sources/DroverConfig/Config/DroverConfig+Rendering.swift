import Drover
import Foundation

extension DroverConfig {
    /// The resolved configuration as pretty JSON with a fixed key order, for `drover config print --json`.
    /// Secrets appear by name only, their values as `"(hidden)"`.
    /// - Returns: JSON text ending in a newline.
    package func renderJSON() -> String {
        json.rendered(pretty: true) + "\n"
    }

    var json: JSONValue {
        func optional(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        func optional(_ i: Int?) -> JSONValue { i.map { .integer(Int64($0)) } ?? .null }
        func number(_ i: Int) -> JSONValue { .integer(Int64(i)) }
        return .members([
            ("config_path", .string(configPath)),
            ("config_directory", .string(configDirectory)),
            ("environment", optional(environment)),
            ("name", optional(name)),
            ("main", optional(main)),
            ("compatibility_date", optional(compatibilityDate)),
            ("compatibility_flags", .array(compatibilityFlags.map(JSONValue.string))),
            // A var replaced by a `.dev.vars` value is a secret now: shown hidden, as secrets are.
            ("vars", .members(vars.keys.sorted().map { ($0, devVars[$0] != nil ? .string("(hidden: .dev.vars)") : vars[$0]!.json) })),
            (
                "kv_namespaces",
                .array(
                    kvNamespaces.map {
                        .members([("binding", .string($0.binding)), ("id", .string($0.id)), ("preview_id", optional($0.previewID))])
                    }
                )
            ),
            (
                "d1_databases",
                .array(
                    d1Databases.map {
                        .members([
                            ("binding", .string($0.binding)), ("database_name", .string($0.databaseName)),
                            ("database_id", .string($0.databaseID)), ("migrations_dir", .string($0.migrationsDir)),
                            ("migrations_path", .string($0.migrationsPath)), ("migrations_table", .string($0.migrationsTable)),
                            ("preview_database_id", optional($0.previewDatabaseID)),
                        ])
                    }
                )
            ),
            (
                "queues",
                .members([
                    (
                        "producers",
                        .array(
                            queues.producers.map {
                                .members([
                                    ("binding", .string($0.binding)), ("queue", .string($0.queue)), ("delivery_delay", number($0.deliveryDelay)),
                                ])
                            }
                        )
                    ),
                    (
                        "consumers",
                        .array(
                            queues.consumers.map {
                                .members([
                                    ("queue", .string($0.queue)), ("max_batch_size", number($0.maxBatchSize)),
                                    ("max_batch_timeout", number($0.maxBatchTimeout)), ("max_retries", number($0.maxRetries)),
                                    ("dead_letter_queue", optional($0.deadLetterQueue)), ("retry_delay", optional($0.retryDelay)),
                                    ("max_concurrency", optional($0.maxConcurrency)),
                                ])
                            }
                        )
                    ),
                ])
            ),
            ("triggers", .members([("crons", .array(triggers.crons.map { .string($0.source) }))])),
            (
                "services",
                .array(
                    services.map {
                        .members([
                            ("binding", .string($0.binding)), ("service", .string($0.service)),
                            ("environment", optional($0.environment)), ("entrypoint", optional($0.entrypoint)),
                        ])
                    }
                )
            ),
            (
                "durable_objects",
                .members([
                    (
                        "bindings",
                        .array(
                            durableObjects.map {
                                .members([
                                    ("name", .string($0.name)), ("class_name", .string($0.className)),
                                    ("script_name", optional($0.scriptName)), ("environment", optional($0.environment)),
                                ])
                            }
                        )
                    )
                ])
            ),
            (
                "migrations",
                .array(
                    migrations.map {
                        .members([
                            ("tag", .string($0.tag)), ("new_classes", .array($0.newClasses.map(JSONValue.string))),
                            ("new_sqlite_classes", .array($0.newSQLiteClasses.map(JSONValue.string))),
                            (
                                "renamed_classes",
                                .array($0.renamedClasses.map { .members([("from", .string($0.from)), ("to", .string($0.to))]) })
                            ),
                            ("deleted_classes", .array($0.deletedClasses.map(JSONValue.string))),
                        ])
                    }
                )
            ),
            (
                "routes",
                .array(
                    routes.map {
                        .members([
                            ("pattern", .string($0.pattern)), ("zone_name", optional($0.zoneName)), ("zone_id", optional($0.zoneID)),
                            ("custom_domain", .bool($0.customDomain)),
                        ])
                    }
                )
            ),
            ("secrets", .members(secrets.keys.sorted().map { ($0, .string("(hidden)")) })),
            ("dev_vars_paths", .array(devVarsPaths.map(JSONValue.string))),
            (
                "dev",
                .members([
                    ("allowed_hosts", .array(dev.allowedHosts.map(JSONValue.string))), ("ip", optional(dev.ip)),
                    ("port", optional(dev.port)),
                    ("outbound", .array(dev.outbound.map { .members([("host", .string($0.host)), ("service", .string($0.service))]) })),
                ])
            ),
            (
                "not_emulated",
                .array(
                    notEmulatedBindings.map {
                        .members([("binding", .string($0.name)), ("kind", .string($0.kind)), ("section", .string($0.section))])
                    }
                )
            ),
            ("not_used_locally", .array(platformOnlyKeys.map(JSONValue.string))),
        ])
    }

    /// The resolved configuration for people, for `drover config print`. Secrets by name only.
    /// - Returns: text ending in a newline.
    package func renderText() -> String {
        var lines: [String] = []
        lines.append("config:       \(configPath)" + (environment.map { " (env \($0))" } ?? ""))
        lines.append("name:         \(name ?? "-")")
        lines.append("main:         \(main ?? "-")")
        lines.append(
            "compat. date: \(compatibilityDate ?? "-")" + (compatibilityFlags.isEmpty ? "" : " flags: \(compatibilityFlags.joined(separator: ", "))")
        )
        if !routes.isEmpty { lines.append("routes:       \(routes.map(\.pattern).joined(separator: ", "))") }
        if !triggers.crons.isEmpty { lines.append("crons:        \(triggers.crons.map(\.source).joined(separator: " | "))") }
        var bindings: [String] = []
        for key in vars.keys.sorted() {
            bindings.append("  \(key)  var  " + (devVars[key] != nil ? "(hidden: replaced by \(devVarsSource))" : vars[key]!.jsonText))
        }
        for kv in kvNamespaces {
            bindings.append("  \(kv.binding)  KV namespace  id=\(kv.id)" + (kv.previewID.map { " preview_id=\($0)" } ?? ""))
        }
        for db in d1Databases {
            bindings.append(
                "  \(db.binding)  D1 database  \(db.databaseName) (id=\(db.databaseID), migrations=\(db.migrationsPath), "
                    + "table=\(db.migrationsTable)" + (db.previewDatabaseID.map { ", preview_database_id=\($0)" } ?? "") + ")"
            )
        }
        for p in queues.producers {
            bindings.append("  \(p.binding)  queue producer  \(p.queue)" + (p.deliveryDelay > 0 ? " delay=\(p.deliveryDelay)s" : ""))
        }
        for s in services { bindings.append("  \(s.binding)  service  \(s.service)" + (s.environment.map { " (\($0))" } ?? "")) }
        let classes = try? DurableObjectClasses(migrations)
        for d in durableObjects {
            let storage: String
            if d.scriptName != nil {
                storage = "of worker \(d.scriptName!)"
            } else if let known = classes?.classes[d.className] {
                storage = known.usesSQLite ? "SQLite storage" : "key-value storage"
            } else {
                storage = "no migration creates it: key-value storage"
            }
            bindings.append("  \(d.name)  Durable Object namespace  class \(d.className) (\(storage))")
        }
        for name in secrets.keys.sorted() { bindings.append("  \(name)  secret  (hidden)") }
        for binding in notEmulatedBindings {
            bindings.append("  \(binding.name)  \(binding.kind)  not emulated by Drover (\(binding.section))")
        }
        lines.append("bindings:" + (bindings.isEmpty ? " none" : ""))
        lines.append(contentsOf: bindings)
        if !queues.consumers.isEmpty {
            lines.append("queue consumers:")
            for c in queues.consumers {
                var text = "  \(c.queue)  batch=\(c.maxBatchSize) timeout=\(c.maxBatchTimeout)s retries=\(c.maxRetries)"
                if let dlq = c.deadLetterQueue { text += " dlq=\(dlq)" }
                if let delay = c.retryDelay { text += " retry_delay=\(delay)s" }
                if let concurrency = c.maxConcurrency { text += " concurrency=\(concurrency)" }
                lines.append(text)
            }
        }
        if !devVarsPaths.isEmpty { lines.append("dev vars:     \(devVarsPaths.joined(separator: ", "))") }
        if !platformOnlyKeys.isEmpty { lines.append("not used locally: \(platformOnlyKeys.joined(separator: ", "))") }
        if !dev.allowedHosts.isEmpty { lines.append("dev hosts:    \(dev.allowedHosts.joined(separator: ", "))") }
        for route in dev.outbound { lines.append("dev outbound: \(route.host) -> worker \(route.service)") }
        if dev.ip != nil || dev.port != nil {
            lines.append("dev listen:   \(dev.ip ?? "127.0.0.1"):\(dev.port.map(String.init) ?? "8787")")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension DroverConfig {
    /// The file names the local values came from, for messages: `.dev.vars`, `.env`, ...
    package var devVarsSource: String {
        let names = devVarsPaths.map { ($0 as NSString).lastPathComponent }
        return names.isEmpty ? ".dev.vars" : names.joined(separator: ", ")
    }
}
