import Drover
import Foundation

extension D1Connection {
    /// The database as SQL text in the manner of the `sqlite3` shell's `.dump`
    /// (https://sqlite.org/cli.html#converting_an_entire_database_to_a_text_file): tables with their
    /// rows, `sqlite_sequence`, then indexes, triggers and views, in one transaction.
    /// - Parameter inTransaction: false writes what `wrangler d1 export` writes instead: a leading
    ///   `PRAGMA defer_foreign_keys=TRUE;` and no `BEGIN`/`COMMIT`, which D1 refuses, so that
    ///   `d1 execute --file` loads the file back (Cloudflare D1 docs, "Import and export data").
    ///
    /// Drover's own SQL: it runs in the trusted scope.
    /// - Throws: ``D1Error`` `D1_DUMP_ERROR: ...` when the schema cannot be read.
    func sqlDump(inTransaction: Bool = true) throws(D1Error) -> String {
        try trusted { () throws(D1Error) in try trustedSQLDump(inTransaction: inTransaction) }
    }

    private func trustedSQLDump(inTransaction: Bool) throws(D1Error) -> String {
        var output = inTransaction ? "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n" : "PRAGMA defer_foreign_keys=TRUE;\n"
        let schema: [D1Row]
        do {
            schema = try execute(
                sql: "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE sql NOT NULL ORDER BY rowid",
                values: [],
                sizeAfter: { 0 }
            ).results
        } catch {
            throw D1Error("D1_DUMP_ERROR: \(error.message)")
        }
        var later: [String] = []
        var hasSequence = false
        for row in schema {
            guard case .text(let type) = row["type"] ?? .null, case .text(let name) = row["name"] ?? .null,
                case .text(let sql) = row["sql"] ?? .null
            else { continue }
            if type != "table" {
                later.append(sql + ";\n")
                continue
            }
            if name == "sqlite_sequence" {
                hasSequence = true
                continue
            }
            if name.hasPrefix("sqlite_") { continue }
            output += sql + ";\n"
            try appendRows(of: name, to: &output)
        }
        if hasSequence {
            output += "DELETE FROM sqlite_sequence;\n"
            try appendRows(of: "sqlite_sequence", to: &output)
        }
        for statement in later { output += statement }
        if inTransaction { output += "COMMIT;\n" }
        return output
    }

    private func appendRows(of table: String, to output: inout String) throws(D1Error) {
        let quotedName = Self.quoteIdentifier(table)
        let rows: [D1Row]
        do {
            rows = try execute(sql: "SELECT * FROM \(quotedName)", values: [], sizeAfter: { 0 }).results
        } catch {
            throw D1Error("D1_DUMP_ERROR: \(error.message)")
        }
        for row in rows {
            output += "INSERT INTO \(quotedName) VALUES("
            output += row.values.map(Self.sqlLiteral).joined(separator: ",")
            output += ");\n"
        }
    }

    /// `name` as a SQL identifier: bare when it is a plain word, else in double quotes.
    static func quoteIdentifier(_ name: String) -> String {
        let plain =
            !name.isEmpty
            && name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: "_")
            } && !(name.utf8.first! >= 0x30 && name.utf8.first! <= 0x39)
        return plain ? name : "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `value` as a SQL literal, as `.dump` writes it (`X'..'` for blobs, `'..'` for text).
    static func sqlLiteral(_ value: D1Value) -> String {
        switch value {
        case .null: return "NULL"
        case .integer(let integer): return String(integer)
        case .real(let double):
            if double.isNaN { return "NULL" }
            if double.isInfinite { return double < 0 ? "-1e999" : "1e999" }
            return "\(double)"
        case .text(let text): return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
        case .blob(let bytes):
            let hexDigits = Array("0123456789ABCDEF".utf8)
            var hex: [UInt8] = []
            hex.reserveCapacity(bytes.count * 2)
            for byte in bytes {
                hex.append(hexDigits[Int(byte >> 4)])
                hex.append(hexDigits[Int(byte & 0x0F)])
            }
            return "X'" + String(decoding: hex, as: UTF8.self) + "'"
        }
    }
}
