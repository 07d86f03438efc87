import Drover
import DroverD1
import Foundation

/// The dashboard's pages, rendered on the server from ``ExplorerAPI``'s data, so each shows what it
/// shows with no script running; the script (``ExplorerAssets``) adds the forms' actions, the
/// countdowns, the live tail and the charts' updates.
struct ExplorerPages {
    let api: ExplorerAPI
    /// The dashboard's root path, ending in `/`.
    let base: String
    let query: QueryParameters

    static let sections: [(path: String, title: String)] = [
        ("", "Overview"), ("kv", "KV"), ("d1", "D1"), ("queues", "Queues"), ("durable-objects", "Durable Objects"), ("cron", "Cron"),
        ("deployments", "Deployments"),
        ("tail", "Live tail"), ("metrics", "Metrics"), ("fixtures", "Fixtures"),
    ]

    /// The page at `segments`, or nil when there is none.
    func render(_ segments: [String]) async throws -> String? {
        let path = RoutePath(segments: segments)
        if path.match("") != nil { return try await overview() }
        if path.match("kv") != nil { return kvNamespaces() }
        if let captures = path.match("kv/*") {
            return try await kvKeys(captures[0])
        }
        if let captures = path.match("kv/*/*") {
            return try await kvValue(captures[0], captures[1])
        }
        if path.match("d1") != nil { return try await d1Databases() }
        if let captures = path.match("d1/*") {
            return try await d1Tables(captures[0])
        }
        if let captures = path.match("d1/*/*") {
            return try await d1Rows(captures[0], captures[1])
        }
        if path.match("queues") != nil { return try await queues() }
        if let captures = path.match("queues/*") {
            return try await queue(captures[0])
        }
        if path.match("durable-objects") != nil { return try durableObjects() }
        if let captures = path.match("durable-objects/*/*") {
            return try await durableObject(captures[0], captures[1])
        }
        if path.match("cron") != nil { return cron() }
        if path.match("deployments") != nil { return try deployments() }
        if path.match("tail") != nil { return tail() }
        if path.match("metrics") != nil { return metrics() }
        if path.match("fixtures") != nil { return try fixtures() }
        if let captures = path.match("fixtures/*") {
            return try fixture(captures[0])
        }
        return nil
    }

    // MARK: Layout

    func layout(title: String, body: String) -> String {
        let nav = Self.sections.map { "<a href=\"\(base)\($0.path)\">\($0.title)</a>" }.joined(separator: " ")
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>\(HTMLEscaping.escape(title)) · Drover</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="drover-explorer-token" content="\(api.context.token)">
            <meta name="drover-explorer-base" content="\(HTMLEscaping.escape(base))">
            <link rel="stylesheet" href="\(base)assets/explorer.css"><script src="\(base)assets/explorer.js" defer></script></head>
            <body><header><strong>Drover</strong> · \(HTMLEscaping.escape(api.runtime.host.workerName)) <nav>\(nav)</nav></header>
            <main><h1>\(HTMLEscaping.escape(title))</h1>
            \(body)
            <p id="status" role="status"></p></main></body></html>
            """
    }

    func table(_ header: [String], _ rows: [[String]], id: String? = nil) -> String {
        let head = header.map { "<th>\(HTMLEscaping.escape($0))</th>" }.joined()
        let body = rows.map { "<tr>" + $0.map { "<td>\($0)</td>" }.joined() + "</tr>" }.joined(separator: "\n")
        return "<table\(id.map { " id=\"\($0)\"" } ?? "")><thead><tr>\(head)</tr></thead><tbody>\n\(body)\n</tbody></table>"
    }

    func link(_ path: String, _ text: String) -> String { "<a href=\"\(base)\(path)\">\(HTMLEscaping.escape(text))</a>" }

    static func json(_ value: JSONValue) -> String { HTMLEscaping.escape(JSONSerializer.prettyString(value)) }

    // MARK: Overview

    func overview() async throws -> String {
        let overview = try await api.overviewJSON()
        let bindings = (overview["bindings"]?.arrayValue ?? []).map { binding -> [String] in
            let kind = binding["type"]?.stringValue ?? ""
            let id =
                binding["id"]?.stringValue ?? binding["queue_name"]?.stringValue ?? binding["service"]?.stringValue
                ?? binding["class_name"]?.stringValue ?? ""
            return [HTMLEscaping.escape(binding["name"]?.stringValue ?? ""), HTMLEscaping.escape(kind), HTMLEscaping.escape(id)]
        }
        let versions = (overview["versions"]?.arrayValue ?? []).map {
            "version \($0["version"]?.integerValue ?? 0) at \(Int($0["percentage"]?.doubleValue ?? 0)) %"
        }
        let facts: [(String, String)] = [
            ("Worker", overview["worker"]?.stringValue ?? ""), ("Config file", overview["config_file"]?.stringValue ?? ""),
            ("State directory", overview["state_directory"]?.stringValue ?? ""),
            ("Serving", versions.isEmpty ? "the config file (no deployment)" : versions.joined(separator: ", ")),
            ("Up since", overview["started_at"]?.stringValue ?? ""),
            ("Requests answered", String(Int(overview["requests_total"]?.doubleValue ?? 0))),
        ]
        let list = facts.map { "<dt>\(HTMLEscaping.escape($0.0))</dt><dd>\(HTMLEscaping.escape($0.1))</dd>" }.joined()
        return layout(
            title: "Overview",
            body: "<dl class=facts>\(list)</dl><h2>Bindings</h2>" + table(["Binding", "Type", "Id / target"], bindings, id: "bindings")
                + "<p class=note>Secrets are listed by name; their values never leave the server.</p>"
        )
    }

    // MARK: KV

    func kvNamespaces() -> String {
        let rows = api.runtime.config.kvNamespaces.map { [link("kv/\(PercentEncoding.encode($0.id))", $0.binding), HTMLEscaping.escape($0.id)] }
        return layout(title: "KV namespaces", body: table(["Binding", "Id"], rows, id: "namespaces"))
    }

    func kvKeys(_ id: String) async throws -> String {
        let entry = try api.kvConfig(id)
        let namespace = try api.kv(id)
        var options = KVListOptions()
        options.prefix = query["prefix"].flatMap { $0.isEmpty ? nil : $0 }
        options.cursor = query["cursor"].flatMap { $0.isEmpty ? nil : $0 }
        options.limit = 100
        let page = try await namespace.list(options)
        let now = api.runtime.options.clock.now().timeIntervalSince1970
        let rows = page.keys.map { key -> [String] in
            let expiration =
                key.expiration.map {
                    "<span data-expiration=\"\($0)\">\(max(0, Int64(Double($0) - now))) s</span>"
                } ?? "never"
            return [
                link("kv/\(PercentEncoding.encode(entry.id))/\(PercentEncoding.encode(key.name))", key.name), expiration,
                key.metadata.map { "<code>\(HTMLEscaping.escape(JSONSerializer.string($0)))</code>" } ?? "",
            ]
        }
        let next =
            page.listComplete
            ? ""
            : "<p>"
                + link(
                    "kv/\(PercentEncoding.encode(entry.id))?prefix=\(PercentEncoding.encode(options.prefix ?? ""))&cursor=\(PercentEncoding.encode(page.cursor ?? ""))",
                    "Next page"
                ) + "</p>"
        let api = "api/storage/kv/namespaces/\(PercentEncoding.encode(entry.id))"
        return layout(
            title: "KV · \(entry.binding)",
            body: """
                <form method=get class=inline><label>Prefix <input name=prefix value="\(HTMLEscaping.escape(options.prefix ?? ""))"></label> <button>List</button></form>
                \(table(["Key", "Expires in", "Metadata"], rows, id: "keys"))
                \(next)
                <h2>Put a key</h2>
                <form data-api="\(api)/values/{key}" data-method=PUT data-body=value data-query="expiration_ttl,metadata" id=kv-put>
                <label>Key <input name=key required></label>
                <label>Value <textarea name=value rows=3></textarea></label>
                <label>TTL (seconds, at least 60) <input name=expiration_ttl inputmode=numeric></label>
                <label>Metadata (JSON) <input name=metadata></label>
                <button>Put</button></form>
                <h2>Bulk import (wrangler's JSON)</h2>
                <form data-api="\(api)/bulk" data-method=PUT data-body=raw:bulk><textarea name=bulk rows=4 placeholder='[{"key": "a", "value": "1"}]'></textarea><button>Import</button></form>
                <p><a href="\(base)\(api)/keys">Keys as JSON</a> · <a href="\(base)api/local/kv/\(PercentEncoding.encode(entry.id))/export">Export in wrangler's bulk JSON</a></p>
                """
        )
    }

    func kvValue(_ id: String, _ key: String) async throws -> String {
        let entry = try api.kvConfig(id)
        guard let value = try await api.kv(id).getWithMetadata(key, cacheTtl: nil) else { throw ExplorerAPI.keyNotFound }
        let text = String(validating: value.value, as: UTF8.self) ?? "(\(value.value.count) bytes, not UTF-8)"
        let path = "api/storage/kv/namespaces/\(PercentEncoding.encode(entry.id))/values/\(PercentEncoding.encode(key))"
        return layout(
            title: "KV · \(entry.binding) · \(key)",
            body: """
                <dl class=facts><dt>Expiration</dt><dd>\(value.expiration.map { "<span data-expiration=\"\($0)\">\($0)</span>" } ?? "never")</dd>
                <dt>Metadata</dt><dd><code>\(value.metadata.map { HTMLEscaping.escape(JSONSerializer.string($0)) } ?? "none")</code></dd></dl>
                <form data-api="\(path)" data-method=PUT data-body=value data-query="expiration_ttl,metadata" data-then=reload>
                <label>Value <textarea name=value rows=8>\(HTMLEscaping.escape(text))</textarea></label>
                <label>TTL (seconds) <input name=expiration_ttl inputmode=numeric></label>
                <label>Metadata (JSON) <input name=metadata value="\(value.metadata.map { HTMLEscaping.escape(JSONSerializer.string($0)) } ?? "")"></label>
                <button>Save</button></form>
                <form data-api="\(path)" data-method=DELETE data-then="\(base)kv/\(PercentEncoding.encode(entry.id))"><button class=danger>Delete</button></form>
                """
        )
    }

    // MARK: D1

    func d1Databases() async throws -> String {
        var rows: [[String]] = []
        for entry in api.runtime.config.d1Databases {
            let json = try await api.databaseJSON(entry)
            rows.append([
                link("d1/\(PercentEncoding.encode(entry.databaseID))", entry.binding), HTMLEscaping.escape(entry.databaseName),
                String(json["num_tables"]?.integerValue ?? 0), String(json["file_size"]?.integerValue ?? 0),
            ])
        }
        return layout(title: "D1 databases", body: table(["Binding", "Name", "Tables", "Bytes"], rows, id: "databases"))
    }

    func d1Tables(_ id: String) async throws -> String {
        let entry = try api.d1Config(id)
        let database = try api.database(id)
        let tables = try await database.execute(
            D1PreparedStatement(
                database: database,
                sql: "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name",
                values: []
            )
        )
        let rows = tables.results.map { row -> [String] in
            let text = row.values.map { value -> String in
                if case .text(let text) = value { return text }
                return ""
            }
            let name = text.first ?? ""
            let sql = text.count > 1 ? text[1] : ""
            return [link("d1/\(PercentEncoding.encode(entry.databaseID))/\(PercentEncoding.encode(name))", name), "<code>\(HTMLEscaping.escape(sql))</code>"]
        }
        let migrations = try await api.migrationsJSON(id)
        func names(_ key: String) -> String {
            let list = (migrations[key]?.arrayValue ?? []).compactMap { $0.stringValue }.map { "<li>\(HTMLEscaping.escape($0))</li>" }.joined()
            return list.isEmpty ? "<li>none</li>" : list
        }
        let path = "api/d1/database/\(PercentEncoding.encode(entry.databaseID))"
        return layout(
            title: "D1 · \(entry.binding)",
            body: table(["Table", "Schema"], rows, id: "tables")
                + """
                <h2>SQL console</h2>
                <form data-api="\(path)/raw" data-method=POST data-body=sql data-then=results id=sql-console>
                <label>SQL <textarea name=sql rows=4>SELECT name FROM sqlite_schema WHERE type = 'table'</textarea></label><button>Run</button></form>
                <div id=results></div>
                <h2>Migrations</h2><p>In <code>\(HTMLEscaping.escape(migrations["directory"]?.stringValue ?? ""))</code>.</p>
                <h3>Applied</h3><ul id=migrations-applied>\(names("applied"))</ul><h3>Pending</h3><ul id=migrations-pending>\(names("pending"))</ul>
                <p><a href="\(base)\(path)/export">Export as .sql</a></p>
                """
        )
    }

    func d1Rows(_ id: String, _ table: String) async throws -> String {
        let entry = try api.d1Config(id)
        let database = try api.database(id)
        let exists = try await database.execute(
            D1PreparedStatement(database: database, sql: "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1", values: [.text(table)])
        )
        guard !exists.results.isEmpty else { throw ExplorerRefusal.notFound("no table \(table)") }
        // Bounded, so that the offset and the neighbours' page numbers cannot overflow.
        let page = min(max(0, Int(query["page"] ?? "0") ?? 0), 10_000_000)
        let quoted = "\"" + table.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        let result = try await database.execute(
            D1PreparedStatement(database: database, sql: "SELECT * FROM \(quoted) LIMIT 50 OFFSET ?1", values: [.integer(Int64(page * 50))])
        )
        let rows = result.results.map { $0.values.map { HTMLEscaping.escape(JSONSerializer.string($0.jsonValue)) } }
        let pager =
            (page > 0 ? link("d1/\(PercentEncoding.encode(entry.databaseID))/\(PercentEncoding.encode(table))?page=\(page - 1)", "Previous") + " " : "")
            + (rows.count == 50 ? link("d1/\(PercentEncoding.encode(entry.databaseID))/\(PercentEncoding.encode(table))?page=\(page + 1)", "Next") : "")
        return layout(title: "D1 · \(entry.binding) · \(table)", body: self.table(result.columns, rows, id: "rows") + "<p>\(pager)</p>")
    }

    // MARK: Queues

    func queues() async throws -> String {
        let queues = try await api.queuesJSON()
        let rows = queues.map { queue -> [String] in
            let name = queue["queue_name"]?.stringValue ?? ""
            let local = queue["local"]
            func count(_ key: String) -> String { String(local?[key]?.integerValue ?? 0) }
            let paused = queue["settings"]?["delivery_paused"]?.boolValue == true
            return [
                link("queues/\(PercentEncoding.encode(name))", name), count("pending"), count("delayed"), count("in_flight"), count("dead_lettered"),
                count("dropped"),
                paused ? "<strong>paused</strong>" : "delivering",
            ]
        }
        return layout(
            title: "Queues",
            body: table(["Queue", "Pending", "Delayed", "In flight", "Dead-lettered", "Dropped", "Delivery"], rows, id: "queues")
        )
    }

    func queue(_ name: String) async throws -> String {
        let broker = try api.broker(name)
        let messages = try await broker.messages(queue: name, limit: 100)
        let paused = try await broker.pausedQueues().contains(name)
        let now = api.runtime.options.clock.nowMilliseconds()
        let path = "api/queues/\(PercentEncoding.encode(name))"
        let rows = messages.map { message -> [String] in
            [
                HTMLEscaping.escape(message.id), "<code>\(HTMLEscaping.escape(JSONSerializer.string(ExplorerAPI.bodyJSON(message.body))))</code>",
                HTMLEscaping.escape(message.contentType.rawValue), String(message.deliveries),
                message.inFlight
                    ? "in flight" : message.visibleAtMilliseconds > now ? "in \((message.visibleAtMilliseconds - now + 999) / 1000) s" : "ready",
                HTMLEscaping.escape(message.lastError ?? ""),
            ]
        }
        let letters = try await broker.deadLetters(queue: name)
        let letterRows = letters.map { letter -> [String] in
            let replay = "api/local/dead-letters/\(PercentEncoding.encode(name))/\(PercentEncoding.encode(letter.id))/replay"
            return [
                HTMLEscaping.escape(letter.id), HTMLEscaping.escape(letter.sourceQueue),
                "<code>\(HTMLEscaping.escape(JSONSerializer.string(ExplorerAPI.bodyJSON(letter.body))))</code>",
                letter.failedDeliveries.map(String.init) ?? "–", HTMLEscaping.escape(letter.lastError ?? "not recorded"),
                "<form data-api=\"\(replay)\" data-method=POST data-then=reload class=inline><button>Replay</button></form>"
                    + "<form data-api=\"\(replay)\" data-method=POST data-body=edited data-then=reload class=inline>"
                    + "<input name=body value=\"\(HTMLEscaping.escape(JSONSerializer.string(ExplorerAPI.bodyJSON(letter.body))))\" aria-label=\"edited body (JSON)\"><button>Edit and replay</button></form>",
            ]
        }
        return layout(
            title: "Queue · \(name)",
            body: """
                <p>Delivery is <strong id=delivery>\(paused ? "paused" : "on")</strong>.
                <form data-api="\(path)" data-method=PATCH data-body=pause:\(paused ? "false" : "true") data-then=reload class=inline><button>\(paused ? "Resume" : "Pause")</button></form></p>
                <h2>Messages (peeked: no lease is taken)</h2>
                \(table(["Id", "Body", "Type", "Deliveries", "Next delivery", "Last failure"], rows, id: "messages"))
                <h2>Send</h2>
                <form data-api="\(path)/messages" data-method=POST data-body=message data-then=reload id=queue-send>
                <label>Body (JSON, or text) <textarea name=body rows=3></textarea></label>
                <label>Delay (seconds) <input name=delay_seconds inputmode=numeric></label><button>Send</button></form>
                <h2>Dead letters</h2>
                \(table(["Id", "From", "Body", "Attempts", "Last failure", ""], letterRows, id: "dead-letters"))
                \(letters.isEmpty ? "" : "<form data-api=\"api/local/dead-letters/\(PercentEncoding.encode(name))/replay\" data-method=POST data-then=reload><button>Replay all</button></form>")
                <h2>Purge</h2>
                <form data-api="\(path)/purge" data-method=POST data-confirm="\(HTMLEscaping.escape(name))" data-then=reload>
                <label>Type the queue's name to delete every message <input name=confirm autocomplete=off></label><button class=danger>Purge</button></form>
                """
        )
    }

    // MARK: Cron, deployments

    // MARK: Durable Objects

    func durableObjects() throws -> String {
        var body = ""
        for namespace in api.durableObjectNamespacesJSON() {
            let binding = namespace["id"]?.stringValue ?? ""
            let storage = namespace["use_sqlite"]?.boolValue == true ? "SQLite storage" : "key-value storage"
            let rows = try api.durableObjectsJSON(binding).map { object -> [String] in
                let id = object["id"]?.stringValue ?? ""
                return [
                    link("durable-objects/\(PercentEncoding.encode(binding))/\(id)", id), HTMLEscaping.escape(object["name"]?.stringValue ?? "-"),
                    object["alarm"]?.integerValue.map { HTMLEscaping.escape(Self.milliseconds($0)) } ?? "-",
                ]
            }
            body += "<h2>\(HTMLEscaping.escape(binding))</h2><p>Class <code>\(HTMLEscaping.escape(namespace["class"]?.stringValue ?? ""))</code>, \(storage).</p>"
            body += rows.isEmpty ? "<p>No objects yet.</p>" : table(["Id", "Name", "Alarm (UTC)"], rows, id: "objects-\(HTMLEscaping.escape(binding))")
        }
        if body.isEmpty { body = "<p>The worker binds no Durable Objects ([[durable_objects.bindings]]).</p>" }
        return layout(title: "Durable Objects", body: body)
    }

    func durableObject(_ binding: String, _ object: String) async throws -> String {
        let json = try await api.durableObjectJSON(binding, object)
        let id = json["id"]?.stringValue ?? object
        let path = "api/local/durable-objects/\(PercentEncoding.encode(binding))/\(id)"
        let alarm = json["alarm"]?.integerValue
        let facts: [(String, String)] = [
            ("Namespace", binding), ("Id", id), ("Name", json["name"]?.stringValue ?? "-"),
            ("Alarm (UTC)", alarm.map(Self.milliseconds) ?? "none"), ("Database size", "\(json["database_size"]?.integerValue ?? 0) bytes"),
        ]
        let list = facts.map { "<dt>\(HTMLEscaping.escape($0.0))</dt><dd>\(HTMLEscaping.escape($0.1))</dd>" }.joined()
        let entries = (json["storage"]?.objectValue ?? JSONObject()).map { entry -> [String] in
            [
                "<code>\(HTMLEscaping.escape(entry.key))</code>", "<code>\(HTMLEscaping.escape(JSONSerializer.string(entry.value)))</code>",
                "<form data-api=\"\(path)/storage/\(PercentEncoding.encode(entry.key))\" data-method=DELETE data-then=reload class=inline><button>Delete</button></form>",
            ]
        }
        var body = "<dl class=facts>\(list)</dl>"
        if alarm != nil {
            body += "<form data-api=\"\(path)/alarm/run\" data-method=POST data-then=reload id=alarm-run><button>Run the alarm now</button></form>"
        }
        body += "<h2>Key-value storage</h2>" + table(["Key", "Value (JSON)", ""], entries, id: "entries")
        body += """
            <form data-api="\(path)/storage/{key}" data-method=PUT data-body=raw:value data-then=reload id=do-put>
            <label>Key <input name=key required></label><label>Value (JSON) <input name=value required placeholder='{"count": 1}'></label><button>Put</button></form>
            """
        if json["use_sqlite"]?.boolValue == true {
            let tables = (json["tables"]?.arrayValue ?? []).map { table -> [String] in
                ["<code>\(HTMLEscaping.escape(table["name"]?.stringValue ?? ""))</code>", "<code>\(HTMLEscaping.escape(table["sql"]?.stringValue ?? ""))</code>"]
            }
            body += "<h2>SQL</h2>" + table(["Table", "Schema"], tables, id: "tables")
            body += """
                <form data-api="\(path)/sql" data-method=POST data-body=sql data-then=results id=sql-console>
                <label>SQL <textarea name=sql rows=4>SELECT name FROM sqlite_master WHERE type = 'table'</textarea></label><button>Run</button></form>
                <div id=results></div>
                """
        }
        return layout(title: "Durable Object · \(binding) · \(json["name"]?.stringValue ?? String(id.prefix(12)))", body: body)
    }

    /// `2026-12-06T14:03:00.000Z` for milliseconds since 1970.
    static func milliseconds(_ value: Int64) -> String {
        ExplorerAPI.timestamp(Date(timeIntervalSince1970: Double(value) / 1000))
    }

    func cron() -> String {
        let runsByCron = ExplorerMetrics.snapshot(api.runtime.host.metrics.registry.render())["scheduled_runs"]
        let rows = api.cronJSON().map { trigger -> [String] in
            let cron = trigger["cron"]?.stringValue ?? ""
            let next = (trigger["next"]?.arrayValue ?? []).compactMap(\.stringValue).map(HTMLEscaping.escape).joined(separator: "<br>")
            let runs = runsByCron?[cron]?.doubleValue ?? 0
            let last =
                trigger["last_run"].map { run in
                    HTMLEscaping.escape(
                        "\(run["outcome"]?.stringValue ?? "") at \(run["finished_at"]?.stringValue ?? "") (for \(run["scheduled_time"]?.stringValue ?? ""))"
                    )
                } ?? "none yet"
            return [
                "<code>\(HTMLEscaping.escape(cron))</code>", next, String(Int(runs)), last,
                "<form data-api=\"api/local/cron/run\" data-method=POST data-body=\"cron:\(HTMLEscaping.escape(cron))\" data-then=status><button>Run now</button></form>",
            ]
        }
        return layout(
            title: "Cron triggers",
            body: table(["Trigger", "Next fire times (UTC)", "Runs since start", "Last run", ""], rows, id: "crons")
        )
    }

    func deployments() throws -> String {
        let json = try api.versionsJSON()
        let active = json["active"]?.integerValue
        let deployments = (json["deployments"]?.arrayValue ?? []).map { deployment -> [String] in
            let id = deployment["id"]?.integerValue ?? 0
            let split = (deployment["versions"]?.arrayValue ?? []).map {
                "\($0["version_id"]?.integerValue ?? 0)@\(Int($0["percentage"]?.doubleValue ?? 0))%"
            }.joined(separator: " ")
            return [
                String(id) + (id == active ? " <strong>active</strong>" : ""), HTMLEscaping.escape(deployment["created_on"]?.stringValue ?? ""),
                HTMLEscaping.escape(deployment["source"]?.stringValue ?? ""), HTMLEscaping.escape(split), HTMLEscaping.escape(deployment["message"]?.stringValue ?? ""),
            ]
        }
        let versions = json["versions"]?.arrayValue ?? []
        // The versions the active deployment serves: no rollback offered to the one serving alone.
        let serving =
            (json["deployments"]?.arrayValue ?? []).first { $0["id"]?.integerValue == active }?["versions"]?.arrayValue?
            .compactMap { $0["version_id"]?.integerValue } ?? []
        let versionRows = versions.map { version -> [String] in
            let id = version["id"]?.integerValue ?? 0
            return [
                String(id) + (serving.contains(id) ? " <strong>serving</strong>" : ""), HTMLEscaping.escape(version["created_on"]?.stringValue ?? ""),
                HTMLEscaping.escape(version["message"]?.stringValue ?? ""),
                api.context.rollback == nil || serving == [id]
                    ? ""
                    : "<form data-api=\"api/local/versions/rollback\" data-method=POST data-body=version:\(id) data-then=reload><button>Roll back to \(id)</button></form>",
            ]
        }
        var diff = ""
        if let pair = query["diff"], let dots = pair.range(of: ".."), let a = Int64(pair[..<dots.lowerBound]), let b = Int64(pair[dots.upperBound...])
        {
            let config = { (id: Int64) in versions.first { $0["id"]?.integerValue == id }?["config"]?.stringValue ?? "" }
            diff = "<h2>Config of \(a) → \(b)</h2><pre class=diff id=diff>" + LineDiff.html(config(a), config(b)) + "</pre>"
        }
        let ids = versions.compactMap { $0["id"]?.integerValue }
        let picker =
            ids.count < 2
            ? ""
            : "<form method=get class=inline><label>Diff <input name=diff value=\"\(ids[min(1, ids.count - 1)])..\(ids[0])\" size=8></label> <button>Show</button></form>"
        return layout(
            title: "Deployments",
            body: "<h2>Deployments</h2>" + table(["Deployment", "Created", "Source", "Versions", "Message"], deployments, id: "deployments")
                + "<h2>Versions</h2>" + table(["Version", "Created", "Message", ""], versionRows, id: "versions") + picker + diff
                + (versions.isEmpty ? "<p class=note>No versions yet: <code>drover deploy</code> makes the first.</p>" : "")
        )
    }

    // MARK: Tail, metrics, fixtures

    func tail() -> String {
        layout(
            title: "Live tail",
            body: """
                <form class=inline id=tail-filters><label>Status <select name=status><option value="">all</option><option>ok</option><option>error</option></select></label>
                <label>Method <input name=method size=6></label> <label>Search <input name=search></label></form>
                <p>Events: <span id=tail-count>0</span> · dropped: <span id=tail-dropped>0</span></p>
                <ol id=tail data-source="\(base)api/local/tail" reversed></ol>
                <noscript><p class=note>The live tail needs the page's script; <code>drover tail</code> streams the same events.</p></noscript>
                """
        )
    }

    func metrics() -> String {
        let snapshot = ExplorerMetrics.snapshot(api.runtime.host.metrics.registry.render())
        let classes = ["2xx", "3xx", "4xx", "5xx"].map { ($0, snapshot["status_classes"]?[$0]?.doubleValue ?? 0) }
        let latency = snapshot["latency_seconds"]
        func milliseconds(_ key: String) -> String {
            latency?[key]?.doubleValue.map { String(format: "%.1f ms", $0 * 1000) } ?? "–"
        }
        let queues = (snapshot["queues"]?.objectValue ?? JSONObject()).pairs.map { queue, counts -> [String] in
            [
                HTMLEscaping.escape(queue), String(Int(counts["batches"]?.doubleValue ?? 0)), String(Int(counts["acked"]?.doubleValue ?? 0)),
                String(Int(counts["retried"]?.doubleValue ?? 0)),
            ]
        }
        let bindingRows = (snapshot["bindings"]?.objectValue ?? JSONObject()).pairs.map { binding, counts -> [String] in
            let operations = (counts.objectValue ?? JSONObject()).pairs.filter { $0.key != "type" }
                .map { "\($0.key) \(Int($0.value.doubleValue ?? 0))" }.joined(separator: ", ")
            return [HTMLEscaping.escape(binding), HTMLEscaping.escape(counts["type"]?.stringValue ?? ""), HTMLEscaping.escape(operations)]
        }
        return layout(
            title: "Metrics",
            body: """
                <p>Requests: <strong id=requests-total>\(Int(snapshot["requests_total"]?.doubleValue ?? 0))</strong> ·
                handler errors: \(Int(snapshot["handler_errors_total"]?.doubleValue ?? 0)) ·
                latency p50 \(milliseconds("p50")), p90 \(milliseconds("p90")), p99 \(milliseconds("p99"))</p>
                <h2>Status classes</h2>\(SVGChart.bars(classes))
                <h2>Request rate (per second, while this page is open)</h2>
                <svg id=rate-chart viewBox="0 0 300 60" width=600 height=120 role=img aria-label="request rate"><polyline points="" fill=none stroke=currentColor></polyline></svg>
                <h2>Binding operations</h2>\(table(["Binding", "Type", "Operations"], bindingRows, id: "binding-metrics"))
                <h2>Queues</h2>\(table(["Queue", "Batches", "Acked", "Retried"], queues, id: "queue-metrics"))
                <p><a href="/__drover/metrics">Prometheus text</a></p>
                """
        )
    }

    func fixtures() throws -> String {
        let rows = try ExplorerFixtures.list(api.context.fixturesDirectory).map { fixture -> [String] in
            let name = fixture["name"]?.stringValue ?? ""
            return [
                link("fixtures/\(PercentEncoding.encode(name))", name), String(fixture["size"]?.integerValue ?? 0),
                HTMLEscaping.escape(fixture["modified_on"]?.stringValue ?? ""),
            ]
        }
        let note =
            api.context.fixturesDirectory == nil
            ? "<p class=note>Start <code>drover dev --record DIR</code> to record one fixture per request.</p>" : ""
        return layout(title: "Fixtures", body: note + table(["Fixture", "Bytes", "Recorded"], rows, id: "fixtures"))
    }

    func fixture(_ name: String) throws -> String {
        let json = try ExplorerFixtures.read(name, in: api.context.fixturesDirectory)
        let replay =
            api.context.replayFixture == nil
            ? ""
            : """
            <form data-api="api/local/fixtures/\(PercentEncoding.encode(name))/replay" data-method=POST data-then=report><button>Replay it now</button></form>
            <pre id=report></pre>
            """
        return layout(title: "Fixture · \(name)", body: replay + "<h2>The fixture</h2><pre>\(Self.json(json))</pre>")
    }
}

/// Bar charts as inline SVG, drawn on the server.
enum SVGChart {
    static func bars(_ values: [(String, Double)]) -> String {
        let top = max(values.map(\.1).max() ?? 0, 1)
        let width = 60
        var shapes = ""
        for (index, (label, value)) in values.enumerated() {
            let height = Int(100 * value / top)
            let x = index * (width + 20) + 10
            // Bars stand on y = 120, at most 100 high, their value above and their label below.
            shapes += "<rect x=\"\(x)\" y=\"\(120 - height)\" width=\"\(width)\" height=\"\(height)\" class=\"bar c\(index)\"></rect>"
            shapes += "<text x=\"\(x + width / 2)\" y=\"135\" text-anchor=\"middle\">\(HTMLEscaping.escape(label))</text>"
            shapes += "<text x=\"\(x + width / 2)\" y=\"\(115 - height)\" text-anchor=\"middle\">\(Int(value))</text>"
        }
        let size = values.count * (width + 20) + 20
        return "<svg viewBox=\"0 0 \(size) 140\" width=\"\(size)\" height=\"140\" role=\"img\" aria-label=\"bar chart\">\(shapes)</svg>"
    }
}

/// A line diff of two texts (longest common subsequence), as HTML with `+`/`-` lines marked.
enum LineDiff {
    static func html(_ old: String, _ new: String) -> String {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard a.count * b.count <= 4_000_000 else { return HTMLEscaping.escape("(too long to compare line by line)") }
        var lengths = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lengths[i][j] = a[i] == b[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
            }
        }
        var lines: [String] = []
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                lines.append("  " + HTMLEscaping.escape(a[i]))
                i += 1
                j += 1
            } else if i < a.count, j == b.count || lengths[i + 1][j] >= lengths[i][j + 1] {
                // A removed line before the one that replaces it, as `diff -u` shows them.
                lines.append("<del>- " + HTMLEscaping.escape(a[i]) + "</del>")
                i += 1
            } else {
                lines.append("<ins>+ " + HTMLEscaping.escape(b[j]) + "</ins>")
                j += 1
            }
        }
        return lines.joined(separator: "\n")
    }
}
