import Drover
import DroverSQLite
import Foundation

/// D1 migrations as wrangler does them (https://developers.cloudflare.com/d1/reference/migrations/):
/// files `NNNN_message.sql` in `migrations_dir` (default `migrations/`), applied in order of their
/// number, each in its own transaction, and recorded by file name in the `migrations_table` of the
/// `[[d1_databases]]` entry (default `d1_migrations`), created as wrangler creates it
/// (workers-sdk `packages/wrangler/src/d1/migrations/helpers.ts`, `getCreateMigrationsTableQuery`).
package enum D1Migrations {
    /// The default folder, relative to the config file.
    package static let defaultDirectory = "migrations"
    /// The default table recording applied migrations.
    package static let defaultTable = "d1_migrations"

    /// Creates the next migration file: the next 4-digit number, the message with spaces turned into
    /// `_`, and wrangler's first line `-- Migration number: NNNN \t <ISO time>`.
    /// - Parameters:
    ///   - directory: the migrations folder; created when absent.
    ///   - message: the migration's name, e.g. `create users`.
    ///   - now: the time written in the header (pass the injected clock's `now()`).
    /// - Returns: the new file's path.
    /// - Throws: ``D1MigrationError`` for an empty or unusable name, or when the file cannot be written.
    package static func create(directory: String, message: String, now: Date) throws(D1MigrationError) -> String {
        let name = message.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "_")
        guard !name.isEmpty, !name.contains("/"), !name.contains("\0") else {
            throw .invalidName("The migration name \"\(message)\" is not usable as a file name.")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .fileSystem("Cannot create the migrations folder \(directory): \(error.localizedDescription)")
        }
        let files = try migrationFiles(in: directory)
        let next = (files.compactMap { Int($0.prefix(4)) }.max() ?? 0) + 1
        let number = String(format: "%04d", next)
        let fileName = "\(number)_\(name).sql"
        let path = (directory as NSString).appendingPathComponent(fileName)
        let header = "-- Migration number: \(number) \t \(isoTime(now))\n"
        guard FileManager.default.createFile(atPath: path, contents: Data(header.utf8)) else {
            throw .fileSystem("Cannot write the migration file \(path).")
        }
        return path
    }

    /// The migrations in `directory` not yet recorded in `table`, in the order they would apply.
    /// Creates the table when it is absent (as wrangler does).
    /// - Throws: ``D1MigrationError`` when the folder cannot be read or the table cannot be created.
    package static func list(
        database: any D1Database,
        directory: String,
        table: String = defaultTable
    ) async throws(D1MigrationError) -> [String] {
        let files = try migrationFiles(in: directory)
        let applied = try await appliedNames(database: database, table: table)
        return files.filter { !applied.contains($0) }
    }

    /// Applies every unapplied migration in order, each file with its record in one transaction,
    /// stopping at the first failure.
    /// - Returns: the file names applied, in order.
    /// - Throws: ``D1MigrationError/migrationFailed(file:message:)`` naming the file and SQLite's
    ///   message; that file is rolled back, those before it stay applied.
    package static func apply(
        database: any D1Database,
        directory: String,
        table: String = defaultTable
    ) async throws(D1MigrationError) -> [String] {
        let pending = try await list(database: database, directory: directory, table: table)
        var applied: [String] = []
        for file in pending {
            let path = (directory as NSString).appendingPathComponent(file)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .fileSystem("Cannot read the migration file \(path).")
            }
            let sql = String(decoding: data, as: UTF8.self)
            var statements = SQLText.splitStatements(sql).map { database.prepare($0) }
            statements.append(
                database.prepare("INSERT INTO \(D1Connection.quoteIdentifier(table)) (name) VALUES (?)")
                    .bind(.text(file))
            )
            do {
                _ = try await database.batch(statements)
            } catch {
                throw .migrationFailed(file: file, message: "\(error)")
            }
            applied.append(file)
        }
        return applied
    }

    /// The `.sql` files of `directory` whose names start with four digits and `_`, sorted by name
    /// (which is by number). A missing folder has none.
    static func migrationFiles(in directory: String) throws(D1MigrationError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { throw .fileSystem("\(directory) is not a folder.") }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw .fileSystem("Cannot read the migrations folder \(directory): \(error.localizedDescription)")
        }
        return names.filter { name in
            name.hasSuffix(".sql") && name.count > 5 && name.prefix(4).allSatisfy(\.isASCIIDigit)
                && name.dropFirst(4).first == "_"
        }.sorted()
    }

    private static func appliedNames(database: any D1Database, table: String) async throws(D1MigrationError) -> Set<String> {
        let quoted = D1Connection.quoteIdentifier(table)
        do {
            _ = try await database.prepare(
                """
                CREATE TABLE IF NOT EXISTS \(quoted)(
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT UNIQUE,
                    applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
                )
                """
            ).run()
            let rows = try await database.prepare("SELECT name FROM \(quoted) ORDER BY id").all().results
            return Set(rows.compactMap { row in if case .text(let name) = row["name"] { name } else { nil } })
        } catch {
            throw .fileSystem("Cannot read the migrations table \(table): \(error)")
        }
    }

    /// `date` as JavaScript's `toISOString()`: `2024-01-02T03:04:05.678Z`.
    static func isoTime(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
