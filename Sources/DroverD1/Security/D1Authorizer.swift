import DroverSQLite

/// What SQL may do on a D1 database: D1's rules, as workerd (the runtime D1 runs on) sets up
/// SQLite in `src/workerd/util/sqlite.c++` (`SqliteDatabase::isAuthorized`, `isAuthorizedTemp`,
/// `ALLOWED_SQLITE_FUNCTIONS`, `ALLOWED_PRAGMAS`), following https://sqlite.org/security.html.
///
/// A pure function of one authorizer request (https://sqlite.org/c3ref/set_authorizer.html) and
/// whose SQL is being prepared, so the rules can be tested as a table. SQLite turns a refusal into
/// `SQLITE_AUTH` with its own message: `not authorized`, or `not authorized to use function: <name>`.
///
/// The rules, for SQL from users (the D1 API, `drover d1 execute`, migrations):
/// - a database other than `main` is refused; on `temp`, only reading and updating (which SQLite
///   itself does to `sqlite_temp_master` during `ALTER TABLE`);
/// - reading, writing, `CREATE`/`DROP` of tables, views, indexes and triggers, `ALTER TABLE`,
///   `REINDEX`, `ANALYZE` and recursive common table expressions are allowed, except on names
///   starting with `_cf_` (D1's own tables);
/// - `BEGIN`/`COMMIT`/`SAVEPOINT` are refused (D1 runs transactions only through `batch`);
/// - `ATTACH`, `DETACH`, temporary tables, indexes, triggers and views are refused;
/// - virtual tables only with the modules `fts5` and `fts5vocab` (no `fts3`, `fts4`, `rtree`: FTS3's
///   `fts3_tokenizer()` takes a C pointer from SQL);
/// - functions only from ``allowedFunctions`` (no `sqlite_version()`, no `fts3_tokenizer()`);
/// - pragmas only from ``allowedPragmas``, each with the argument its signature allows, plus
///   `table_list`, and `table_info`/`table_xinfo` of an allowed name.
///
/// Names are compared without regard to ASCII case (SQLite's own names are), where workerd compares
/// pragma names and the `_cf_` prefix as written: Drover refuses `PRAGMA JOURNAL_MODE` as it
/// refuses `PRAGMA journal_mode`, and accepts `PRAGMA FOREIGN_KEYS` as `PRAGMA foreign_keys`.
///
/// Drover's own SQL (its pragmas, `BEGIN IMMEDIATE`/`COMMIT`, the dump, `d1 info`) is prepared in
/// the ``Scope/trusted`` scope, where everything on `main` is allowed, but an action a trigger or a
/// view takes on the statement's behalf is still judged by the users' rules.
package enum D1Authorizer {
    /// Whose SQL SQLite is preparing.
    package enum Scope: Sendable {
        /// SQL a user wrote: D1's rules.
        case user
        /// Drover's own SQL: everything on `main`, transactions included.
        case trusted
    }

    package typealias Request = SQLiteConnection.AuthorizerRequest
    package typealias Authorization = SQLiteConnection.Authorization

    /// The answer to `request` for SQL of `scope`.
    package static func decide(_ request: Request, scope: Scope) -> Authorization {
        var request = request
        if request.action == .alterTable || request.action == .detach {
            // SQLite passes these two the database first, then the table (and, for DROP COLUMN, the
            // column where the database goes): put each text where the other actions have it, as
            // workerd does.
            (request.first, request.second, request.database) = (request.second, request.database, request.first)
        }
        if let database = request.database {
            if database == "temp" { return decideTemp(request) }
            // One file per database: no attached ones.
            if database != "main" { return .deny }
        }
        if scope == .trusted && request.trigger == nil { return .allow }
        return decideUser(request)
    }

    /// The users' rules for an action on `main` (or on no database).
    private static func decideUser(_ request: Request) -> Authorization {
        switch request.action {
        case .select, .analyze, .recursive:
            // ANALYZE names no table when `PRAGMA optimize` runs it: every name is allowed (workerd).
            return .allow
        case .read, .update, .insert, .delete, .createTable, .dropTable, .createView, .dropView, .reindex, .alterTable:
            return allow(isAllowedName(request.first))
        case .createIndex, .dropIndex, .createTrigger, .dropTrigger:
            return allow(isAllowedName(request.first) && isAllowedName(request.second))
        case .pragma:
            return allow(isAllowedPragma(request.first ?? "", argument: request.second))
        case .function:
            return allow(request.second.map(isAllowedFunction) ?? false)
        case .createVirtualTable, .dropVirtualTable:
            return allow(request.second.map { allowedModules.contains(asciiLowercased($0)) } ?? false)
        default:
            // Transactions and savepoints (D1 has `batch`), ATTACH/DETACH, temporary objects,
            // COPY, and any action this list does not know.
            return .deny
        }
    }

    /// On `temp`: only reading and updating, which `ALTER TABLE` does to `sqlite_temp_master`.
    private static func decideTemp(_ request: Request) -> Authorization {
        switch request.action {
        case .read, .update: allow(isAllowedName(request.first))
        default: .deny
        }
    }

    private static func allow(_ allowed: Bool) -> Authorization {
        allowed ? .allow : .deny
    }

    // MARK: - Names

    /// Whether a table, index, view or trigger name is the user's: not one of D1's own (`_cf_…`).
    static func isAllowedName(_ name: String?) -> Bool {
        guard let name else { return true }
        return asciiLowercased(String(name.utf8.prefix(4)) ?? "") != "_cf_"
    }

    // MARK: - Functions

    /// Whether the function `name` may be called (https://sqlite.org/lang_corefunc.html and the
    /// pages each group below comes from).
    static func isAllowedFunction(_ name: String) -> Bool {
        allowedFunctions.contains(name) || allowedFunctions.contains(asciiLowercased(name))
    }

    /// workerd's `ALLOWED_SQLITE_FUNCTIONS`. `load_extension` is listed but does nothing: loading
    /// extensions stays off on the connection (`SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION`).
    static let allowedFunctions: Set<String> = [
        // Core (https://sqlite.org/lang_corefunc.html); not sqlite_version, sqlite_source_id,
        // sqlite_compileoption_*, sqlite_offset, which describe the build.
        "abs", "changes", "char", "coalesce", "concat", "concat_ws", "format", "glob", "hex", "ifnull", "iif", "instr",
        "last_insert_rowid", "length", "like", "likelihood", "likely", "load_extension", "lower", "ltrim",
        "max_scalar", "min_scalar", "nullif", "octet_length", "printf", "quote", "random", "randomblob", "replace",
        "round", "rtrim", "sign", "soundex", "substr", "substring", "total_changes", "trim", "typeof", "unhex",
        "unicode", "unlikely", "upper", "zeroblob",
        // Date and time (https://sqlite.org/lang_datefunc.html).
        "date", "time", "datetime", "julianday", "unixepoch", "strftime", "timediff", "current_date", "current_time",
        "current_timestamp",
        // Aggregates (https://sqlite.org/lang_aggfunc.html).
        "avg", "count", "group_concat", "max", "min", "string_agg", "sum", "total",
        // Window functions (https://sqlite.org/windowfunctions.html#biwinfunc).
        "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value",
        "last_value", "nth_value",
        // Math (https://sqlite.org/lang_mathfunc.html).
        "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "cos", "cosh", "degrees", "exp", "floor",
        "ln", "log", "log2", "mod", "pi", "pow", "radians", "sin", "sinh", "sqrt", "tan", "tanh", "trunc",
        // JSON (https://sqlite.org/json1.html).
        "json", "json_array", "json_array_length", "json_extract", "->", "->>", "json_insert", "json_object",
        "json_patch", "json_remove", "json_replace", "json_set", "json_type", "json_valid", "json_quote",
        "json_group_array", "json_group_object", "json_each", "json_tree",
        // FTS5 (https://sqlite.org/fts5.html).
        "match", "highlight", "bm25", "snippet",
        // What ALTER TABLE calls on the statements it runs itself (https://sqlite.org/lang_altertable.html).
        "sqlite_rename_column", "sqlite_rename_table", "sqlite_rename_test", "sqlite_drop_column",
        "sqlite_rename_quotefix",
    ]

    // MARK: - Virtual tables

    /// The virtual table modules D1 supports: FTS5 and its vocabulary tables (https://sqlite.org/fts5.html).
    static let allowedModules: Set<String> = ["fts5", "fts5vocab"]

    // MARK: - Pragmas (https://sqlite.org/pragma.html)

    /// What argument an allowed pragma takes.
    enum PragmaSignature: Sendable {
        /// None: the pragma only reads.
        case noArgument
        /// None (to read) or a boolean.
        case boolean
        /// A table or index name, required.
        case objectName
        /// A table name, or none.
        case optionalObjectName
        /// An integer, or none.
        case optionalInteger
        /// A row count, a table or index name, or none.
        case optionalIntegerOrObjectName
    }

    /// workerd's `ALLOWED_PRAGMAS`.
    static let allowedPragmas: [String: PragmaSignature] = [
        "data_version": .noArgument,
        // Switches for constraints and behaviour.
        "case_sensitive_like": .boolean,
        "foreign_keys": .boolean,
        "defer_foreign_keys": .boolean,
        "ignore_check_constraints": .boolean,
        "legacy_alter_table": .boolean,
        "recursive_triggers": .boolean,
        "reverse_unordered_selects": .boolean,
        // About one table or index.
        "foreign_key_check": .optionalObjectName,
        "foreign_key_list": .objectName,
        "index_info": .objectName,
        "index_list": .objectName,
        "index_xinfo": .objectName,
        "quick_check": .optionalIntegerOrObjectName,
        // A bit mask, or the default one.
        "optimize": .optionalInteger,
    ]

    /// Whether `PRAGMA <name>` with `argument` (as SQLite passes it: without quotes, `-` kept) may run.
    static func isAllowedPragma(_ name: String, argument: String?) -> Bool {
        let name = asciiLowercased(name)
        switch name {
        case "table_list":
            // It lists every table, D1's own too; their names are no secret, their rows are.
            return true
        case "table_info", "table_xinfo":
            return argument.map(isAllowedName) ?? false
        default:
            guard let signature = allowedPragmas[name] else { return false }
            switch signature {
            case .noArgument: return argument == nil
            case .boolean: return argument.map(isBoolean) ?? true
            case .objectName: return argument.map(isAllowedName) ?? false
            case .optionalObjectName: return argument.map(isAllowedName) ?? true
            case .optionalInteger: return argument.map { integer($0, in: Int64(Int32.min)...Int64(Int32.max)) } ?? true
            case .optionalIntegerOrObjectName:
                return argument.map { integer($0, in: 0...Int64(UInt32.max)) || isAllowedName($0) } ?? true
            }
        }
    }

    /// Whether `text` is a boolean as workerd checks it: once out of matching quotes, it starts with
    /// `true`, `false`, `yes`, `no`, `on`, `off`, `1` or `0`, in any case.
    static func isBoolean(_ text: String) -> Bool {
        var value = Substring(text)
        if value.count >= 2, let quote = value.first, quote == "'" || quote == "\"", value.last == quote {
            value = value.dropFirst().dropLast()
        }
        let lowered = asciiLowercased(String(value))
        return ["true", "false", "yes", "no", "on", "off", "1", "0"].contains { lowered.hasPrefix($0) }
    }

    /// Whether `text` is a whole decimal (optionally signed) or `0x` hexadecimal integer within `range`.
    static func integer(_ text: String, in range: ClosedRange<Int64>) -> Bool {
        let value: Int64?
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            value = Int64(text.dropFirst(2), radix: 16)
        } else {
            value = Int64(text)
        }
        return value.map(range.contains) ?? false
    }

    /// `text` with ASCII letters lowered (SQLite's identifiers ignore ASCII case only).
    static func asciiLowercased(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return text }
        return String(decoding: text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
