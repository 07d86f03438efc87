import Dispatch
import Drover
import DroverSQLite
import Foundation

extension D1Connection {
    /// Whether the statement cached for `sql` only reads; `false` when none is cached (`sql` holds
    /// several statements). Never prepares anything.
    func isCachedReadOnly(_ sql: String) -> Bool {
        cachedEntry(sql)?.isReadOnly ?? false
    }

    /// D1's `exec`: the trimmed text is split at newlines and each line runs as its own query
    /// (workerd `d1-api.ts` sends `query.trim().split('\n')`), without parameters or transaction.
    /// Blank lines are skipped. Each line gets the time limit anew.
    /// - Throws: ``D1Error`` `D1_EXEC_ERROR: Error in line <n>: <line>: <message>` (the message of a
    ///   line past the time limit: `D1 DB storage operation exceeded timeout which caused object to
    ///   be reset.`); `D1_ERROR: database is closed` when the database closes meanwhile.
    func exec(_ sql: String, sizeAfter: () -> Int64) throws(D1Error) -> (result: D1ExecResult, size: Int64) {
        let trimmed = sql.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw D1Error(D1Messages.noStatements)
        }
        var count = 0
        var duration = 0.0
        for (index, line) in trimmed.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = String(line)
            if SQLText.isBlank(text) { continue }
            do {
                let result = try execute(sql: text, values: [], sizeAfter: { 0 })
                duration += result.meta.duration
                count += 1
            } catch {
                // A closing database says so plainly, as every other call does.
                if error == .closed { throw error }
                var message = error.message
                if message.hasPrefix("D1_ERROR: ") { message.removeFirst("D1_ERROR: ".count) }
                throw D1Error("D1_EXEC_ERROR: Error in line \(index + 1): \(text): \(message)")
            }
        }
        return (D1ExecResult(count: count, duration: duration), sizeAfter())
    }

    /// The main database's bytes (https://sqlite.org/c3ref/serialize.html), in the trusted scope:
    /// SQLite reads `PRAGMA page_count` for it, which users may not run.
    /// - Throws: ``D1Error`` `D1_DUMP_ERROR: ...` when SQLite cannot serialize it.
    func serialize() throws(D1Error) -> [UInt8] {
        guard let bytes = try trusted({ sqlite.serialize(schema: "main") }) else {
            if databaseSize() == 0 { return [] }
            throw D1Error("D1_DUMP_ERROR: \(sqlite.errorMessage)")
        }
        return bytes
    }
}
