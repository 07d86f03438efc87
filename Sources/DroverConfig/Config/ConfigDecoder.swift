/// Turns a parsed `wrangler-like.toml` into a ``DroverConfig``: checks types, ranges and required keys,
/// applies wrangler's environment rules, and collects warnings for unknown keys.
struct ConfigDecoder {
    /// One level of the file: the top level or one `[env.NAME]`. Nil means "not written here".
    struct Section {
        var name: String?
        var main: String?
        var compatibilityDate: String?
        var compatibilityFlags: [String]?
        var routes: [RouteConfig]?
        var triggers: TriggersConfig?
        var vars: [String: VarValue]?
        var kvNamespaces: [KVNamespaceConfig]?
        var d1Databases: [D1DatabaseConfig]?
        var queues: QueuesConfig?
        var services: [ServiceBindingConfig]?
        var durableObjects: [DurableObjectBindingConfig]?
        /// Bindings of kinds Drover does not emulate, nil when the level declares none.
        var notEmulated: [NotEmulatedBinding]?
        /// Platform-only keys written at this level (``PlatformKeys/platformOnly``).
        var platformKeys: [String] = []
        /// Binding names with where they were written, for the duplicate check.
        var bindingNames: [(name: String, position: TOMLPosition)] = []
        /// Where each non-inherited key was written (for warnings).
        var position: TOMLPosition = TOMLPosition(line: 1, column: 1)
    }

    /// wrangler's top-level keys that Drover understands.
    private static let sectionKeys: Set<String> = [
        "name", "main", "compatibility_date", "compatibility_flags", "vars", "kv_namespaces", "d1_databases", "queues",
        "triggers", "services", "route", "routes", "durable_objects",
    ]

    let file: String
    let configDirectory: String
    private(set) var warnings: [ConfigWarning] = []

    init(file: String, configDirectory: String) {
        self.file = file
        self.configDirectory = configDirectory
    }

    // MARK: Errors and warnings

    private func fail(_ kind: ConfigError.Kind, _ message: String, at position: TOMLPosition) -> ConfigError {
        ConfigError(kind, message, file: file, position: position)
    }

    private func wrongType(_ path: String, _ expected: String, _ value: TOMLValue) -> ConfigError {
        fail(.wrongType, "\(path) must be \(expected), found \(article(value.typeName))", at: value.position)
    }

    private func article(_ type: String) -> String {
        switch type {
        case "integer", "array": return "an \(type)"
        case "bool": return "a boolean"
        case "datetime": return "an offset date-time"
        case "datetime-local": return "a local date-time"
        case "date-local": return "a local date"
        case "time-local": return "a local time"
        default: return "a \(type)"
        }
    }

    private mutating func warnUnknownKeys(_ table: TOMLTable, allowed: Set<String>, in section: String) {
        for key in table.keys where !allowed.contains(key) {
            let position = table.position(ofKey: key) ?? table[key]!.position
            let place = section.isEmpty ? "at the top level" : "in \(section)"
            warnings.append(ConfigWarning("unknown key \"\(key)\" \(place) is ignored", file: file, position: position))
        }
    }

    // MARK: Typed accessors

    private func table(_ value: TOMLValue, _ path: String) throws(ConfigError) -> TOMLTable {
        guard let table = value.tableValue else { throw wrongType(path, "a table", value) }
        return table
    }

    private func string(_ table: TOMLTable, _ key: String, _ prefix: String) throws(ConfigError) -> String? {
        guard let value = table[key] else { return nil }
        guard let string = value.stringValue else { throw wrongType(prefix + key, "a string", value) }
        return string
    }

    private func requiredString(
        _ table: TOMLTable,
        _ key: String,
        _ prefix: String,
        _ section: String,
        at position: TOMLPosition
    )
        throws(ConfigError) -> String
    {
        guard let string = try string(table, key, prefix) else {
            throw fail(.missingKey, "\"\(key)\" is required in \(section)", at: position)
        }
        guard !string.isEmpty else {
            throw fail(.outOfRange, "\(prefix + key) must not be empty", at: table[key]!.position)
        }
        return string
    }

    private func integer(
        _ table: TOMLTable,
        _ key: String,
        _ prefix: String,
        _ range: ClosedRange<Int>,
        limit: String
    )
        throws(ConfigError) -> Int?
    {
        guard let value = table[key] else { return nil }
        guard let integer = value.integerValue else { throw wrongType(prefix + key, "an integer", value) }
        guard integer >= range.lowerBound, integer <= range.upperBound else {
            throw fail(
                .outOfRange,
                "\(prefix + key) must be \(range.lowerBound)-\(range.upperBound) (\(limit)), found \(integer)",
                at: value.position
            )
        }
        return Int(integer)
    }

    private func bool(_ table: TOMLTable, _ key: String, _ prefix: String) throws(ConfigError) -> Bool? {
        guard let value = table[key] else { return nil }
        guard let bool = value.boolValue else { throw wrongType(prefix + key, "a boolean", value) }
        return bool
    }

    private func stringArray(_ table: TOMLTable, _ key: String, _ prefix: String) throws(ConfigError) -> [(String, TOMLValue)]? {
        guard let value = table[key] else { return nil }
        guard let elements = value.arrayValue else { throw wrongType(prefix + key, "an array of strings", value) }
        var strings: [(String, TOMLValue)] = []
        for (i, element) in elements.enumerated() {
            guard let s = element.stringValue else { throw wrongType("\(prefix)\(key)[\(i)]", "a string", element) }
            strings.append((s, element))
        }
        return strings
    }

    /// `[[name]]` entries: an array whose elements are all tables.
    private func tables(_ table: TOMLTable, _ key: String, _ prefix: String) throws(ConfigError) -> [TOMLValue]? {
        guard let value = table[key] else { return nil }
        guard let elements = value.arrayValue else { throw wrongType(prefix + key, "an array of tables ([[\(key)]])", value) }
        for (i, element) in elements.enumerated() where element.tableValue == nil {
            throw wrongType("\(prefix)\(key)[\(i)]", "a table", element)
        }
        return elements
    }

    // MARK: Sections

    /// Decodes the top level or one environment.
    /// - Parameters:
    ///   - table: the keys of that level.
    ///   - prefix: `""` or `env.NAME.`, for messages.
    ///   - position: where the level starts.
    ///   - isTopLevel: whether `env` is allowed.
    mutating func section(_ table: TOMLTable, prefix: String, position: TOMLPosition, isTopLevel: Bool) throws(ConfigError) -> Section {
        var section = Section(position: position)
        let known = Self.sectionKeys.union(PlatformKeys.bindingKeys).union(PlatformKeys.platformOnly)
        warnUnknownKeys(
            table,
            allowed: isTopLevel ? known.union(["env", "dev", "migrations"]) : known,
            in: prefix.isEmpty ? "" : "[\(prefix.dropLast())]"
        )
        section.platformKeys = table.keys.filter { PlatformKeys.platformOnly.contains($0) }
        section.notEmulated = try notEmulatedBindings(table, prefix, &section.bindingNames)
        section.name = try string(table, "name", prefix)
        section.main = try string(table, "main", prefix)
        if let value = table["compatibility_date"] {
            // wrangler writes it as a string; a bare TOML date is accepted too.
            switch value.content {
            case .string(let s):
                guard Self.isDate(s) else {
                    throw fail(.outOfRange, "\(prefix)compatibility_date must be YYYY-MM-DD, found \"\(s)\"", at: value.position)
                }
                section.compatibilityDate = s
            case .localDate(let d): section.compatibilityDate = d.description
            default: throw wrongType(prefix + "compatibility_date", "a date string \"YYYY-MM-DD\"", value)
            }
        }
        section.compatibilityFlags = try stringArray(table, "compatibility_flags", prefix)?.map(\.0)
        section.routes = try routes(table, prefix)
        if let value = table["triggers"] { section.triggers = try triggers(value, prefix + "triggers") }
        if let value = table["vars"] {
            let varsTable = try self.table(value, prefix + "vars")
            var vars: [String: VarValue] = [:]
            for (key, v) in varsTable.entries {
                vars[key] = try varValue(v, "\(prefix)vars.\(key)", depth: 0)
                section.bindingNames.append((key, varsTable.position(ofKey: key) ?? v.position))
            }
            section.vars = vars
        }
        if let entries = try tables(table, "kv_namespaces", prefix) {
            section.kvNamespaces = []
            for (i, entry) in entries.enumerated() {
                let t = entry.tableValue!
                let p = "\(prefix)kv_namespaces[\(i)]."
                warnUnknownKeys(t, allowed: ["binding", "id", "preview_id"], in: "[[\(prefix)kv_namespaces]]")
                let binding = try requiredString(t, "binding", p, "[[\(prefix)kv_namespaces]]", at: entry.position)
                section.kvNamespaces!.append(
                    KVNamespaceConfig(binding: binding, id: try string(t, "id", p), previewID: try string(t, "preview_id", p))
                )
                section.bindingNames.append((binding, t["binding"]!.position))
            }
        }
        if let entries = try tables(table, "d1_databases", prefix) {
            section.d1Databases = []
            for (i, entry) in entries.enumerated() {
                let t = entry.tableValue!
                let p = "\(prefix)d1_databases[\(i)]."
                warnUnknownKeys(
                    t,
                    allowed: ["binding", "database_name", "database_id", "migrations_dir", "migrations_table", "preview_database_id"],
                    in: "[[\(prefix)d1_databases]]"
                )
                let binding = try requiredString(t, "binding", p, "[[\(prefix)d1_databases]]", at: entry.position)
                section.d1Databases!.append(
                    D1DatabaseConfig(
                        binding: binding,
                        databaseName: try string(t, "database_name", p),
                        databaseID: try string(t, "database_id", p),
                        migrationsDir: try string(t, "migrations_dir", p) ?? "migrations",
                        migrationsTable: try string(t, "migrations_table", p) ?? "d1_migrations",
                        previewDatabaseID: try string(t, "preview_database_id", p),
                        configDirectory: configDirectory
                    )
                )
                section.bindingNames.append((binding, t["binding"]!.position))
            }
        }
        if let value = table["queues"] { section.queues = try queues(value, prefix, &section.bindingNames) }
        if let entries = try tables(table, "services", prefix) {
            section.services = []
            for (i, entry) in entries.enumerated() {
                let t = entry.tableValue!
                let p = "\(prefix)services[\(i)]."
                warnUnknownKeys(t, allowed: ["binding", "service", "environment", "entrypoint"], in: "[[\(prefix)services]]")
                let binding = try requiredString(t, "binding", p, "[[\(prefix)services]]", at: entry.position)
                let service = try requiredString(t, "service", p, "[[\(prefix)services]]", at: entry.position)
                section.services!.append(
                    ServiceBindingConfig(
                        binding: binding,
                        service: service,
                        environment: try string(t, "environment", p),
                        entrypoint: try string(t, "entrypoint", p)
                    )
                )
                section.bindingNames.append((binding, t["binding"]!.position))
            }
        }
        if let value = table["durable_objects"] {
            section.durableObjects = try durableObjects(value, prefix, &section.bindingNames)
        }
        return section
    }

    /// `[[durable_objects.bindings]]`.
    private mutating func durableObjects(
        _ value: TOMLValue,
        _ prefix: String,
        _ bindingNames: inout [(name: String, position: TOMLPosition)]
    ) throws(ConfigError) -> [DurableObjectBindingConfig] {
        let t = try table(value, prefix + "durable_objects")
        warnUnknownKeys(t, allowed: ["bindings"], in: "[\(prefix)durable_objects]")
        var bindings: [DurableObjectBindingConfig] = []
        for (i, entry) in (try tables(t, "bindings", prefix + "durable_objects.") ?? []).enumerated() {
            let e = entry.tableValue!
            let p = "\(prefix)durable_objects.bindings[\(i)]."
            let section = "[[\(prefix)durable_objects.bindings]]"
            warnUnknownKeys(e, allowed: ["name", "class_name", "script_name", "environment"], in: section)
            let name = try requiredString(e, "name", p, section, at: entry.position)
            let binding = DurableObjectBindingConfig(
                name: name,
                className: try requiredString(e, "class_name", p, section, at: entry.position),
                scriptName: try string(e, "script_name", p),
                environment: try string(e, "environment", p)
            )
            if binding.environment != nil && binding.scriptName == nil {
                // wrangler's message, verbatim.
                throw fail(.missingKey, "binding should have a \"script_name\" field if \"environment\" is present.", at: e["environment"]!.position)
            }
            bindings.append(binding)
            bindingNames.append((name, e["name"]!.position))
        }
        return bindings
    }

    /// `[[migrations]]`, checked as wrangler checks them: each entry must fit the classes the
    /// entries before it made.
    private mutating func migrations(_ root: TOMLTable) throws(ConfigError) -> [DurableObjectMigrationConfig] {
        guard let entries = try tables(root, "migrations", "") else { return [] }
        var migrations: [DurableObjectMigrationConfig] = []
        var tags: [String: TOMLPosition] = [:]
        for (i, entry) in entries.enumerated() {
            let t = entry.tableValue!
            let p = "migrations[\(i)]."
            warnUnknownKeys(
                t, allowed: ["tag", "new_classes", "new_sqlite_classes", "renamed_classes", "deleted_classes", "transferred_classes"],
                in: "[[migrations]]")
            let tag = try requiredString(t, "tag", p, "[[migrations]]", at: entry.position)
            if let earlier = tags[tag] {
                throw fail(.duplicateBinding, "migration tag \"\(tag)\" is already used (at \(file):\(earlier))", at: t["tag"]!.position)
            }
            tags[tag] = t["tag"]!.position
            var renames: [DurableObjectMigrationConfig.Rename] = []
            if let value = t["renamed_classes"] {
                let shape = "an array of \"{from: string, to: string}\" objects"
                guard let elements = value.arrayValue else { throw wrongType(p + "renamed_classes", shape, value) }
                for element in elements {
                    guard let rename = element.tableValue, let from = rename["from"]?.stringValue, let to = rename["to"]?.stringValue else {
                        throw wrongType(p + "renamed_classes", shape, element)
                    }
                    renames.append(.init(from: from, to: to))
                }
            }
            if let value = t["transferred_classes"] {
                warnings.append(
                    ConfigWarning(
                        "transferred_classes moves objects between deployed workers; it means nothing locally and is ignored", file: file,
                        position: value.position))
            }
            migrations.append(
                DurableObjectMigrationConfig(
                    tag: tag,
                    newClasses: try stringArray(t, "new_classes", p)?.map(\.0) ?? [],
                    newSQLiteClasses: try stringArray(t, "new_sqlite_classes", p)?.map(\.0) ?? [],
                    renamedClasses: renames,
                    deletedClasses: try stringArray(t, "deleted_classes", p)?.map(\.0) ?? []
                ))
        }
        do throws(DurableObjectClasses.MigrationError) {
            _ = try DurableObjectClasses(migrations)
        } catch {
            throw fail(.outOfRange, error.message, at: entries[error.index].position)
        }
        return migrations
    }

    /// The bindings declared under the keys of ``PlatformKeys/bindings``; nil when there are none.
    private func notEmulatedBindings(
        _ table: TOMLTable,
        _ prefix: String,
        _ names: inout [(name: String, position: TOMLPosition)]
    ) throws(ConfigError) -> [NotEmulatedBinding]? {
        var found: [NotEmulatedBinding] = []
        for (key, kind, shape) in PlatformKeys.bindings {
            guard let value = table[key] else { continue }
            func add(_ t: TOMLTable, field: String, section: String, at position: TOMLPosition, required: Bool) throws(ConfigError) {
                let path = prefix + key + "."
                let name: String
                if required {
                    name = try requiredString(t, field, path, section, at: position)
                } else {
                    guard let given = try string(t, field, path) else { return }
                    name = given
                }
                found.append(NotEmulatedBinding(name: name, kind: kind, section: section))
                names.append((name, t[field]?.position ?? position))
            }
            switch shape {
            case .tables(let field):
                for entry in try tables(table, key, prefix) ?? [] {
                    try add(entry.tableValue!, field: field, section: "[[\(prefix)\(key)]]", at: entry.position, required: true)
                }
            case .table(let field):
                let t = try self.table(value, prefix + key)
                try add(t, field: field, section: "[\(prefix)\(key)]", at: value.position, required: false)
            case .nestedTables(let field):
                let t = try self.table(value, prefix + key)
                for entry in try tables(t, "bindings", prefix + key + ".") ?? [] {
                    try add(entry.tableValue!, field: field, section: "[[\(prefix)\(key).bindings]]", at: entry.position, required: true)
                }
            case .names:
                let t = try self.table(value, prefix + key)
                for name in t.keys {
                    found.append(NotEmulatedBinding(name: name, kind: kind, section: "[\(prefix)\(key)]"))
                    names.append((name, t.position(ofKey: name) ?? value.position))
                }
            }
        }
        return found.isEmpty ? nil : found
    }

    private static func isDate(_ s: String) -> Bool {
        guard case .localDate? = (try? TOMLParser.parse("d = \(s)"))?["d"]?.content else { return false }
        return s.utf8.count == 10
    }

    /// `[vars]` values keep their type; wrangler vars are JSON, so dates and times are rejected.
    private func varValue(_ value: TOMLValue, _ path: String, depth: Int) throws(ConfigError) -> VarValue {
        switch value.content {
        case .string(let s): return .string(s)
        case .integer(let i): return .integer(i)
        case .float(let d): return .float(d)
        case .boolean(let b): return .bool(b)
        case .array(let elements):
            var out: [VarValue] = []
            for (i, e) in elements.enumerated() { out.append(try varValue(e, "\(path)[\(i)]", depth: depth + 1)) }
            return .array(out)
        case .table(let t):
            var out: [String: VarValue] = [:]
            for (k, v) in t.entries { out[k] = try varValue(v, "\(path).\(k)", depth: depth + 1) }
            return .object(out)
        case .offsetDateTime, .localDateTime, .localDate, .localTime:
            throw wrongType(path, "a string, number, boolean, array or table", value)
        }
    }

    private func routes(_ table: TOMLTable, _ prefix: String) throws(ConfigError) -> [RouteConfig]? {
        if let single = table["route"] {
            if table["routes"] != nil {
                throw fail(.wrongType, "use either \(prefix)route or \(prefix)routes, not both", at: single.position)
            }
            return [try route(single, prefix + "route")]
        }
        guard let value = table["routes"] else { return nil }
        guard let elements = value.arrayValue else { throw wrongType(prefix + "routes", "an array", value) }
        var routes: [RouteConfig] = []
        for (i, e) in elements.enumerated() { routes.append(try route(e, "\(prefix)routes[\(i)]")) }
        return routes
    }

    private func route(_ value: TOMLValue, _ path: String) throws(ConfigError) -> RouteConfig {
        if let pattern = value.stringValue { return RouteConfig(pattern: pattern) }
        guard let t = value.tableValue else { throw wrongType(path, "a string or a table with \"pattern\"", value) }
        let p = path + "."
        for key in t.keys where !["pattern", "zone_name", "zone_id", "custom_domain"].contains(key) {
            throw fail(.wrongType, "unknown key \"\(key)\" in \(path)", at: t.position(ofKey: key) ?? value.position)
        }
        return RouteConfig(
            pattern: try requiredString(t, "pattern", p, path, at: value.position),
            zoneName: try string(t, "zone_name", p),
            zoneID: try string(t, "zone_id", p),
            customDomain: try bool(t, "custom_domain", p) ?? false
        )
    }

    private mutating func triggers(_ value: TOMLValue, _ path: String) throws(ConfigError) -> TriggersConfig {
        let t = try table(value, path)
        warnUnknownKeys(t, allowed: ["crons"], in: "[\(path)]")
        var crons: [CronExpression] = []
        for (text, element) in try stringArray(t, "crons", path + ".") ?? [] {
            do throws(CronExpression.ParseError) {
                crons.append(try CronExpression(text))
            } catch {
                // Point into the string: one column for the opening quote, then the offset (exact without escapes).
                let at = TOMLPosition(line: element.position.line, column: element.position.column + 1 + error.offset)
                throw fail(.invalidCron, "invalid cron expression \"\(text)\": \(error.message)", at: at)
            }
        }
        return TriggersConfig(crons: crons)
    }

    private mutating func queues(
        _ value: TOMLValue,
        _ prefix: String,
        _ bindingNames: inout [(name: String, position: TOMLPosition)]
    ) throws(ConfigError) -> QueuesConfig {
        let t = try table(value, prefix + "queues")
        warnUnknownKeys(t, allowed: ["producers", "consumers"], in: "[\(prefix)queues]")
        var queues = QueuesConfig()
        let limits = "Cloudflare Queues limit"
        for (i, entry) in (try tables(t, "producers", prefix + "queues.") ?? []).enumerated() {
            let e = entry.tableValue!
            let p = "\(prefix)queues.producers[\(i)]."
            let section = "[[\(prefix)queues.producers]]"
            warnUnknownKeys(e, allowed: ["queue", "binding", "delivery_delay"], in: section)
            let binding = try requiredString(e, "binding", p, section, at: entry.position)
            queues.producers.append(
                QueueProducerConfig(
                    binding: binding,
                    queue: try requiredString(e, "queue", p, section, at: entry.position),
                    deliveryDelay: try integer(e, "delivery_delay", p, 0...QueueConsumerConfig.maxDelaySeconds, limit: limits) ?? 0
                )
            )
            bindingNames.append((binding, e["binding"]!.position))
        }
        var consumed: [String: TOMLPosition] = [:]
        for (i, entry) in (try tables(t, "consumers", prefix + "queues.") ?? []).enumerated() {
            let e = entry.tableValue!
            let p = "\(prefix)queues.consumers[\(i)]."
            let section = "[[\(prefix)queues.consumers]]"
            warnUnknownKeys(
                e,
                allowed: ["queue", "max_batch_size", "max_batch_timeout", "max_retries", "dead_letter_queue", "retry_delay", "max_concurrency"],
                in: section
            )
            let queue = try requiredString(e, "queue", p, section, at: entry.position)
            if let earlier = consumed[queue] {
                throw fail(
                    .duplicateBinding,
                    "queue \"\(queue)\" already has a consumer (at \(file):\(earlier)); a queue has one consumer",
                    at: e["queue"]!.position
                )
            }
            consumed[queue] = e["queue"]!.position
            let deadLetterQueue = try string(e, "dead_letter_queue", p)
            if deadLetterQueue == queue {
                // wrangler's message, verbatim.
                throw fail(
                    .deadLetterQueueIsItself,
                    "Dead letter queue for queue \"\(queue)\" cannot be itself",
                    at: e["dead_letter_queue"]!.position
                )
            }
            typealias C = QueueConsumerConfig
            queues.consumers.append(
                QueueConsumerConfig(
                    queue: queue,
                    maxBatchSize: try integer(e, "max_batch_size", p, 1...C.maxBatchSizeLimit, limit: limits) ?? C.defaultMaxBatchSize,
                    maxBatchTimeout: try integer(e, "max_batch_timeout", p, 0...C.maxBatchTimeoutLimit, limit: limits) ?? C.defaultMaxBatchTimeout,
                    maxRetries: try integer(e, "max_retries", p, 0...C.maxRetriesLimit, limit: limits) ?? C.defaultMaxRetries,
                    deadLetterQueue: deadLetterQueue,
                    retryDelay: try integer(e, "retry_delay", p, 0...C.maxDelaySeconds, limit: limits),
                    maxConcurrency: try integer(e, "max_concurrency", p, 1...C.maxConcurrencyLimit, limit: limits)
                )
            )
        }
        return queues
    }

    // MARK: Environments

    /// Applies wrangler's environment rules (https://developers.cloudflare.com/workers/wrangler/environments/):
    /// `name`, `main`, `compatibility_date`, `compatibility_flags`, `routes` and `triggers` are inherited from the
    /// top level; `vars` and bindings are not and must be restated. An environment without its own `name` is
    /// named `<top-level name>-<env>`.
    mutating func resolve(_ root: TOMLTable, environment: String?, configPath: String) throws(ConfigError) -> DroverConfig {
        let top = try section(root, prefix: "", position: TOMLPosition(line: 1, column: 1), isTopLevel: true)
        var envTables: TOMLTable?
        if let value = root["env"] {
            let envs = try table(value, "env")
            for (key, v) in envs.entries where v.tableValue == nil { throw wrongType("env.\(key)", "a table", v) }
            envTables = envs
        }
        var resolved = top
        if let environment {
            guard let envValue = envTables?[environment], let envTable = envValue.tableValue else {
                let known = envTables?.keys.map { "\"\($0)\"" }.joined(separator: ", ") ?? ""
                throw ConfigError(
                    .unknownEnvironment,
                    "no environment \"\(environment)\" ([env.\(environment)]) in the config"
                        + (known.isEmpty ? "" : "; defined: \(known)"),
                    file: file
                )
            }
            let env = try section(envTable, prefix: "env.\(environment).", position: envValue.position, isTopLevel: false)
            resolved = env
            resolved.name = env.name ?? top.name.map { "\($0)-\(environment)" }
            resolved.main = env.main ?? top.main
            resolved.compatibilityDate = env.compatibilityDate ?? top.compatibilityDate
            resolved.compatibilityFlags = env.compatibilityFlags ?? top.compatibilityFlags
            resolved.routes = env.routes ?? top.routes
            resolved.triggers = env.triggers ?? top.triggers
            resolved.platformKeys = top.platformKeys + env.platformKeys.filter { !top.platformKeys.contains($0) }
            let notInherited: [(String, Bool, Bool)] = [
                ("vars", top.vars != nil, env.vars != nil),
                ("kv_namespaces", top.kvNamespaces != nil, env.kvNamespaces != nil),
                ("d1_databases", top.d1Databases != nil, env.d1Databases != nil),
                ("queues", top.queues != nil, env.queues != nil),
                ("services", top.services != nil, env.services != nil),
                ("durable_objects", top.durableObjects != nil, env.durableObjects != nil),
            ]
            for (key, atTop, inEnv) in notInherited where atTop && !inEnv {
                warnings.append(
                    ConfigWarning(
                        "\"\(key)\" exists at the top level, but not in [env.\(environment)]; it is not inherited by environments, so add it to [env.\(environment)] if the worker needs it",
                        file: file,
                        position: envValue.position
                    )
                )
            }
        }
        var seen: [String: TOMLPosition] = [:]
        for (name, position) in resolved.bindingNames {
            if let earlier = seen[name] {
                throw fail(.duplicateBinding, "binding name \"\(name)\" is already used (at \(file):\(earlier))", at: position)
            }
            seen[name] = position
        }
        var dev = DevConfig()
        if let value = root["dev"] {
            let devTable = try table(value, "dev")
            warnUnknownKeys(devTable, allowed: ["allowed_hosts", "ip", "port", "outbound"], in: "[dev]")
            dev.allowedHosts = try stringArray(devTable, "allowed_hosts", "dev.")?.map(\.0) ?? []
            dev.ip = try string(devTable, "ip", "dev.")
            dev.port = try integer(devTable, "port", "dev.", 0...65535, limit: "a TCP port; 0 picks a free one")
            for (i, entry) in (try tables(devTable, "outbound", "dev.") ?? []).enumerated() {
                let t = entry.tableValue!
                let p = "dev.outbound[\(i)]."
                warnUnknownKeys(t, allowed: ["host", "service"], in: "[[dev.outbound]]")
                let host = try requiredString(t, "host", p, "[[dev.outbound]]", at: entry.position)
                guard OutboundRouteConfig.isValidHost(host.lowercased()) else {
                    throw fail(
                        .wrongType,
                        "\(p)host must be a host name (api.example.com) or *. and a domain (*.example.com), without scheme, port or path; got \"\(host)\"",
                        at: t["host"]!.position)
                }
                let service = try requiredString(t, "service", p, "[[dev.outbound]]", at: entry.position)
                dev.outbound.append(OutboundRouteConfig(host: host.lowercased(), service: service))
            }
        }
        return DroverConfig(
            configPath: configPath,
            configDirectory: configDirectory,
            environment: environment,
            name: resolved.name,
            main: resolved.main,
            compatibilityDate: resolved.compatibilityDate,
            compatibilityFlags: resolved.compatibilityFlags ?? [],
            vars: resolved.vars ?? [:],
            kvNamespaces: resolved.kvNamespaces ?? [],
            d1Databases: resolved.d1Databases ?? [],
            queues: resolved.queues ?? QueuesConfig(),
            triggers: resolved.triggers ?? TriggersConfig(),
            services: resolved.services ?? [],
            durableObjects: resolved.durableObjects ?? [],
            migrations: try migrations(root),
            routes: resolved.routes ?? [],
            dev: dev,
            notEmulatedBindings: resolved.notEmulated ?? [],
            platformOnlyKeys: resolved.platformKeys.sorted()
        )
    }
}
