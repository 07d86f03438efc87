import Drover
import DroverSQLite

extension SQLiteStatement {
    /// Binds `values` to the parameters `?1`, `?2`, ... in order (the caller checks the count).
    package func bind(_ values: [D1Value]) throws(SQLiteError) {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            switch value {
            case .null: try bindNull(at: index)
            case .integer(let integer): try bind(integer, at: index)
            case .real(let double): try bind(double, at: index)
            // With its byte length: a text holding NUL keeps every byte.
            case .text(let text): try bind(text, at: index)
            // A zero-length blob stays a blob, not NULL.
            case .blob(let bytes): try bind(blob: bytes, at: index)
            }
        }
    }

    /// The value of `column` in the current row, with SQLite's own type.
    package func value(at column: Int32) -> D1Value {
        switch columnType(column) {
        case .integer: .integer(int64(column))
        case .float: .real(double(column))
        case .text: .text(text(column))
        case .blob: .blob(blob(column))
        case .null: .null
        }
    }
}
