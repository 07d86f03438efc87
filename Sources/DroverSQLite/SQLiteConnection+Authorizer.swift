import CSQLite

// MARK: - Authorizer (https://sqlite.org/c3ref/set_authorizer.html)

extension SQLiteConnection {
    /// Installs `decide`, which SQLite asks about each action while it prepares a statement
    /// (`sqlite3_exec` included, and again when it prepares a kept statement anew inside
    /// `sqlite3_step` after a schema change), replacing any earlier one. It runs on the thread
    /// preparing, which is the one using the connection.
    package func setAuthorizer(_ decide: @escaping (AuthorizerRequest) -> Authorization) {
        let box = AuthorizerBox(decide)
        authorizer = box
        sqlite3_set_authorizer(
            handle,
            { context, action, first, second, database, trigger in
                guard let context else { return SQLITE_DENY }
                let box = Unmanaged<AuthorizerBox>.fromOpaque(context).takeUnretainedValue()
                let request = AuthorizerRequest(
                    action: AuthorizerAction(rawValue: action),
                    first: first.map { String(cString: $0) },
                    second: second.map { String(cString: $0) },
                    database: database.map { String(cString: $0) },
                    trigger: trigger.map { String(cString: $0) }
                )
                return box.decide(request).rawValue
            },
            Unmanaged.passUnretained(box).toOpaque()
        )
    }

    /// What SQLite asks an authorizer: an action and its four texts, whose meaning depends on the
    /// action (the table at https://sqlite.org/c3ref/c_alter_table.html).
    package struct AuthorizerRequest: Sendable, Equatable {
        /// What the statement is about to do.
        package var action: AuthorizerAction
        /// The action's first text (a table, index, trigger or pragma name; a database for
        /// `SQLITE_ALTER_TABLE`), or `nil`.
        package var first: String?
        /// The action's second text (a column, the pragma's argument, the function's name, the
        /// virtual table's module), or `nil`.
        package var second: String?
        /// The database the action is on (`main`, `temp`, an attached name), or `nil`.
        package var database: String?
        /// The innermost trigger or view (or common table expression) on whose behalf the action
        /// runs; `nil` for the statement's own text.
        package var trigger: String?

        /// A request of `action` with its texts.
        package init(
            action: AuthorizerAction,
            first: String? = nil,
            second: String? = nil,
            database: String? = nil,
            trigger: String? = nil
        ) {
            self.action = action
            self.first = first
            self.second = second
            self.database = database
            self.trigger = trigger
        }
    }

    /// What an authorizer answers (https://sqlite.org/c3ref/c_deny.html).
    package enum Authorization: Sendable {
        /// `SQLITE_OK`.
        case allow
        /// `SQLITE_DENY`: the statement fails to prepare with `SQLITE_AUTH` and the message
        /// `not authorized` (`not authorized to use function: <name>` for a function).
        case deny
        /// `SQLITE_IGNORE`.
        case ignore

        var rawValue: Int32 {
            switch self {
            case .allow: SQLITE_OK
            case .deny: SQLITE_DENY
            case .ignore: SQLITE_IGNORE
            }
        }
    }

    /// An action an authorizer is asked about (https://sqlite.org/c3ref/c_alter_table.html); the
    /// comment after each says what ``AuthorizerRequest/first`` and ``AuthorizerRequest/second`` hold.
    package struct AuthorizerAction: Sendable, Hashable {
        package let rawValue: Int32
        package init(rawValue: Int32) { self.rawValue = rawValue }

        /// Index name, table name.
        package static let createIndex = AuthorizerAction(rawValue: SQLITE_CREATE_INDEX)
        /// Table name.
        package static let createTable = AuthorizerAction(rawValue: SQLITE_CREATE_TABLE)
        /// Index name, table name.
        package static let createTempIndex = AuthorizerAction(rawValue: SQLITE_CREATE_TEMP_INDEX)
        /// Table name.
        package static let createTempTable = AuthorizerAction(rawValue: SQLITE_CREATE_TEMP_TABLE)
        /// Trigger name, table name.
        package static let createTempTrigger = AuthorizerAction(rawValue: SQLITE_CREATE_TEMP_TRIGGER)
        /// View name.
        package static let createTempView = AuthorizerAction(rawValue: SQLITE_CREATE_TEMP_VIEW)
        /// Trigger name, table name.
        package static let createTrigger = AuthorizerAction(rawValue: SQLITE_CREATE_TRIGGER)
        /// View name.
        package static let createView = AuthorizerAction(rawValue: SQLITE_CREATE_VIEW)
        /// Table name.
        package static let delete = AuthorizerAction(rawValue: SQLITE_DELETE)
        /// Index name, table name.
        package static let dropIndex = AuthorizerAction(rawValue: SQLITE_DROP_INDEX)
        /// Table name.
        package static let dropTable = AuthorizerAction(rawValue: SQLITE_DROP_TABLE)
        /// Index name, table name.
        package static let dropTempIndex = AuthorizerAction(rawValue: SQLITE_DROP_TEMP_INDEX)
        /// Table name.
        package static let dropTempTable = AuthorizerAction(rawValue: SQLITE_DROP_TEMP_TABLE)
        /// Trigger name, table name.
        package static let dropTempTrigger = AuthorizerAction(rawValue: SQLITE_DROP_TEMP_TRIGGER)
        /// View name.
        package static let dropTempView = AuthorizerAction(rawValue: SQLITE_DROP_TEMP_VIEW)
        /// Trigger name, table name.
        package static let dropTrigger = AuthorizerAction(rawValue: SQLITE_DROP_TRIGGER)
        /// View name.
        package static let dropView = AuthorizerAction(rawValue: SQLITE_DROP_VIEW)
        /// Table name.
        package static let insert = AuthorizerAction(rawValue: SQLITE_INSERT)
        /// Pragma name, its argument or `nil`.
        package static let pragma = AuthorizerAction(rawValue: SQLITE_PRAGMA)
        /// Table name, column name.
        package static let read = AuthorizerAction(rawValue: SQLITE_READ)
        /// Nothing.
        package static let select = AuthorizerAction(rawValue: SQLITE_SELECT)
        /// `BEGIN`, `COMMIT` or `ROLLBACK`.
        package static let transaction = AuthorizerAction(rawValue: SQLITE_TRANSACTION)
        /// Table name, column name.
        package static let update = AuthorizerAction(rawValue: SQLITE_UPDATE)
        /// File name.
        package static let attach = AuthorizerAction(rawValue: SQLITE_ATTACH)
        /// Database name.
        package static let detach = AuthorizerAction(rawValue: SQLITE_DETACH)
        /// Database name, table name (and, for `DROP COLUMN`, the column in the database's place).
        package static let alterTable = AuthorizerAction(rawValue: SQLITE_ALTER_TABLE)
        /// Index name.
        package static let reindex = AuthorizerAction(rawValue: SQLITE_REINDEX)
        /// Table name.
        package static let analyze = AuthorizerAction(rawValue: SQLITE_ANALYZE)
        /// Table name, module name.
        package static let createVirtualTable = AuthorizerAction(rawValue: SQLITE_CREATE_VTABLE)
        /// Table name, module name.
        package static let dropVirtualTable = AuthorizerAction(rawValue: SQLITE_DROP_VTABLE)
        /// `nil`, function name.
        package static let function = AuthorizerAction(rawValue: SQLITE_FUNCTION)
        /// `BEGIN`, `RELEASE` or `ROLLBACK`, savepoint name.
        package static let savepoint = AuthorizerAction(rawValue: SQLITE_SAVEPOINT)
        /// No longer used by SQLite.
        package static let copy = AuthorizerAction(rawValue: SQLITE_COPY)
        /// A recursive common table expression.
        package static let recursive = AuthorizerAction(rawValue: SQLITE_RECURSIVE)
    }

    final class AuthorizerBox {
        let decide: (AuthorizerRequest) -> Authorization
        init(_ decide: @escaping (AuthorizerRequest) -> Authorization) { self.decide = decide }
    }
}
