import CSQLite

/// A result code SQLite returned instead of success, with the connection's message for it.
///
/// Each module maps it to its own error type and wording (D1 appends ``codeName``:
/// `NOT NULL constraint failed: t.v: SQLITE_CONSTRAINT`); this type only carries what SQLite said.
@usableFromInline package struct SQLiteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The code as the failing call returned it: an extended code (https://sqlite.org/rescode.html)
    /// when the connection has them on (``SQLiteConnection/setExtendedResultCodes(_:)``).
    package let code: Int32
    /// `sqlite3_errmsg` right after the failure (https://sqlite.org/c3ref/errcode.html).
    package let message: String

    /// An error with `code` and `message`.
    package init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    /// The primary result code: the low 8 bits of ``code`` (`SQLITE_CONSTRAINT` for
    /// `SQLITE_CONSTRAINT_NOTNULL`).
    package var primaryCode: Int32 { code & 0xff }

    /// Whether the statement was stopped by ``SQLiteConnection/interrupt()`` or by a progress
    /// handler (`SQLITE_INTERRUPT`, https://sqlite.org/rescode.html#interrupt).
    package var isInterruption: Bool { primaryCode == SQLITE_INTERRUPT }

    /// The primary result code's name (`SQLITE_CONSTRAINT`), as D1 appends it to its messages;
    /// `SQLITE_ERROR` for a code without one here.
    package var codeName: String {
        switch primaryCode {
        case SQLITE_ERROR: "SQLITE_ERROR"
        case SQLITE_INTERNAL: "SQLITE_INTERNAL"
        case SQLITE_PERM: "SQLITE_PERM"
        case SQLITE_ABORT: "SQLITE_ABORT"
        case SQLITE_BUSY: "SQLITE_BUSY"
        case SQLITE_LOCKED: "SQLITE_LOCKED"
        case SQLITE_NOMEM: "SQLITE_NOMEM"
        case SQLITE_READONLY: "SQLITE_READONLY"
        case SQLITE_INTERRUPT: "SQLITE_INTERRUPT"
        case SQLITE_IOERR: "SQLITE_IOERR"
        case SQLITE_CORRUPT: "SQLITE_CORRUPT"
        case SQLITE_FULL: "SQLITE_FULL"
        case SQLITE_CANTOPEN: "SQLITE_CANTOPEN"
        case SQLITE_CONSTRAINT: "SQLITE_CONSTRAINT"
        case SQLITE_MISMATCH: "SQLITE_MISMATCH"
        case SQLITE_MISUSE: "SQLITE_MISUSE"
        case SQLITE_AUTH: "SQLITE_AUTH"
        case SQLITE_RANGE: "SQLITE_RANGE"
        case SQLITE_TOOBIG: "SQLITE_TOOBIG"
        default: "SQLITE_ERROR"
        }
    }

    /// `<message>: <codeName>`.
    @usableFromInline package var description: String { "\(message): \(codeName)" }

    /// A misuse of the API the caller detected itself (`SQLITE_MISUSE`), with its own `message`.
    package static func misuse(_ message: String) -> SQLiteError {
        SQLiteError(code: SQLITE_MISUSE, message: message)
    }

    /// The error `code` left on the connection `db`: its message read now.
    static func lastError(on db: OpaquePointer, code: Int32) -> SQLiteError {
        SQLiteError(code: code, message: String(cString: sqlite3_errmsg(db)))
    }
}
