import Drover
import Foundation
import Testing

/// `drover d1 ...` on the playground's database in a temporary `--persist-to`.
@Suite struct D1CommandTests {
    /// A project whose database exists with the playground's migrations applied.
    static func migrated() async throws -> PlaygroundProject {
        let project = try PlaygroundProject.make()
        let apply = await project.cli(["d1", "migrations", "apply", "DB", "--yes"])
        #expect(apply.status == 0, "\(apply.errors)")
        return project
    }

    @Test func executeCommandPrintsATable() async throws {
        let project = try await Self.migrated()
        let insert = await project.cli([
            "d1", "execute", "DB", "--command",
            "INSERT INTO cron_runs (cron, scheduled_ms) VALUES ('*/5 * * * *', 1000), ('0 * * * *', 2000)",
        ])
        #expect(insert.status == 0, "\(insert.errors)")
        let select = await project.cli(["d1", "execute", "DB", "--command", "SELECT cron, scheduled_ms FROM cron_runs ORDER BY seq"])
        #expect(select.status == 0)
        let lines = select.output.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("cron") && $0.contains("scheduled_ms") })
        #expect(lines.contains { $0.contains("*/5 * * * *") && $0.contains("1000") })
        #expect(lines.contains { $0.contains("0 * * * *") && $0.contains("2000") })
    }

    @Test func executeJSONPrintsD1sResultArray() async throws {
        let project = try await Self.migrated()
        let result = await project.cli([
            "d1", "execute", "DB", "--json", "--command",
            "INSERT INTO cron_runs (cron, scheduled_ms) VALUES ('a', 1); SELECT cron, scheduled_ms FROM cron_runs",
        ])
        #expect(result.status == 0, "\(result.errors)")
        let array = try #require(try JSONParser.parse(result.output).arrayValue)
        #expect(array.count == 2)
        for item in array {
            #expect(item["success"] == .bool(true))
            #expect(item["results"]?.arrayValue != nil)
            #expect(item["meta"]?["changes"] != nil)
        }
        #expect(array[0]["meta"]?["changes"] == .integer(1))
        // D1's return object: a local primary served it; `timings` beside `duration`.
        let meta = try #require(array[1]["meta"]?.objectValue)
        #expect(Array(meta.keys.prefix(5)) == ["served_by", "served_by_region", "served_by_primary", "timings", "duration"])
        #expect(meta["served_by"] == .string("miniflare.db"))
        #expect(meta["served_by_primary"] == .bool(true))
        #expect(meta["timings"]?["sql_duration_ms"] == meta["duration"])
        let rows = try #require(array[1]["results"]?.arrayValue)
        #expect(rows.count == 1)
        #expect(rows[0]["cron"]?.stringValue == "a")
        #expect(rows[0]["scheduled_ms"] == .integer(1))
    }

    @Test func executeFileRunsEveryStatement() async throws {
        let project = try await Self.migrated()
        try project.write(
            "seed.sql",
            """
            -- seed
            INSERT INTO deliveries (queue, msg, attempts) VALUES ('jobs', 'one', 1);
            INSERT INTO deliveries (queue, msg, attempts) VALUES ('jobs', 'two; with a semicolon', 1);
            """
        )
        let run = await project.cli(["d1", "execute", "DB", "--file", "seed.sql"])
        #expect(run.status == 0, "\(run.errors)")
        let count = await project.cli(["d1", "execute", "DB", "--json", "--command", "SELECT count(*) AS n FROM deliveries"])
        #expect(try JSONParser.parse(count.output)[0]?["results"]?[0]?["n"] == .integer(2))
    }

    @Test func executeBadSQLFailsWithTheError() async throws {
        let project = try await Self.migrated()
        let result = await project.cli(["d1", "execute", "DB", "--command", "SELEC 1"])
        #expect(result.status == 1)
        #expect(result.errors.contains("syntax error") || result.errors.contains("SELEC"))
    }

    @Test func exportWritesSQLThatRecreatesTheDatabase() async throws {
        let project = try await Self.migrated()
        #expect(
            await project.cli(["d1", "execute", "DB", "--command", "INSERT INTO cron_runs (cron, scheduled_ms) VALUES ('x''y', 42)"]).status == 0
        )
        let export = await project.cli(["d1", "export", "DB", "--output", "dump.sql"])
        #expect(export.status == 0, "\(export.errors)")
        let dump = try String(contentsOfFile: project.path + "/dump.sql", encoding: .utf8)
        #expect(dump.contains("CREATE TABLE deliveries"))
        #expect(dump.contains("CREATE TABLE cron_runs"))
        #expect(dump.contains("x''y"))
        // wrangler d1 export's shape: no BEGIN/COMMIT, which D1 refuses.
        #expect(dump.hasPrefix("PRAGMA defer_foreign_keys=TRUE;\n"))
        #expect(!dump.contains("BEGIN TRANSACTION") && !dump.contains("COMMIT;"))

        // Loading the dump into a fresh state directory gives the same row back.
        let fresh = try TemporaryDirectory()
        let load = await CLIRun.run(
            ["d1", "execute", "DB", "--file", project.path + "/dump.sql", "--persist-to", fresh.path, "--config", project.configPath],
            in: project.path,
            registry: PlaygroundProject.registry
        )
        #expect(load.status == 0, "\(load.errors)")
        let check = await CLIRun.run(
            ["d1", "execute", "DB", "--json", "--command", "SELECT cron, scheduled_ms FROM cron_runs", "--persist-to", fresh.path],
            in: project.path,
            registry: PlaygroundProject.registry
        )
        #expect(try JSONParser.parse(check.output)[0]?["results"]?[0]?["cron"]?.stringValue == "x'y")
    }

    @Test func infoShowsFileSizeAndTables() async throws {
        let project = try await Self.migrated()
        let text = await project.cli(["d1", "info", "DB"])
        #expect(text.status == 0)
        #expect(text.output.contains("playground"))
        let json = try JSONParser.parse(await project.cli(["d1", "info", "DB", "--json"]).output)
        #expect((json["size"]?.integerValue ?? 0) > 0)
        // deliveries, cron_runs and d1_migrations at least.
        #expect((json["tables"]?.integerValue ?? 0) >= 2)
        #expect(json["path"]?.stringValue?.hasPrefix(project.statePath) == true)
    }

    @Test func migrationsCreateListApply() async throws {
        let project = try PlaygroundProject.make()
        let before = await project.cli(["d1", "migrations", "list", "DB"])
        #expect(before.status == 0)
        #expect(before.output.contains("0001_create_tables.sql"))

        let create = await project.cli(["d1", "migrations", "create", "DB", "add audit log"])
        #expect(create.status == 0, "\(create.errors)")
        let file = project.path + "/migrations/0002_add_audit_log.sql"
        #expect(create.output.contains("0002_add_audit_log.sql"))
        #expect(FileManager.default.fileExists(atPath: file))
        let header = try String(contentsOfFile: file, encoding: .utf8)
        try (header + "CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT);\n").write(toFile: file, atomically: true, encoding: .utf8)

        let pending = await project.cli(["d1", "migrations", "list", "DB"])
        #expect(pending.output.contains("0001_create_tables.sql") && pending.output.contains("0002_add_audit_log.sql"))

        let apply = await project.cli(["d1", "migrations", "apply", "DB", "--yes"])
        #expect(apply.status == 0, "\(apply.errors)")
        #expect(apply.output.contains("0001_create_tables.sql") && apply.output.contains("0002_add_audit_log.sql"))

        let after = await project.cli(["d1", "migrations", "list", "DB"])
        #expect(after.output.contains("No migrations to apply."))
        let again = await project.cli(["d1", "migrations", "apply", "DB", "--yes"])
        #expect(again.status == 0)
        #expect(again.output.contains("No migrations to apply."))
        let audit = await project.cli(["d1", "execute", "DB", "--json", "--command", "SELECT count(*) AS n FROM audit"])
        #expect(audit.status == 0, "\(audit.errors)")
    }

    @Test func aFailingMigrationIsNotRecordedAndExitsOne() async throws {
        let project = try PlaygroundProject.make()
        try project.write("migrations/0002_broken.sql", "CREATE TABLE ok_table (id INTEGER);\nCREATE TABLE oops (;\n")
        let apply = await project.cli(["d1", "migrations", "apply", "DB", "--yes"])
        #expect(apply.status == 1)
        let pending = await project.cli(["d1", "migrations", "list", "DB"])
        #expect(pending.output.contains("0002_broken.sql"))
        #expect(!pending.output.contains("0001_create_tables.sql"))
        // Its own transaction rolled back: the first statement of the broken file left nothing.
        let table = await project.cli(["d1", "execute", "DB", "--command", "SELECT * FROM ok_table"])
        #expect(table.status == 1)
    }

    /// The playground with `migrations_table = "schema_history"` on its database.
    static func customTableProject() throws -> PlaygroundProject {
        try PlaygroundProject.make { config in
            config.replacingOccurrences(
                of: "migrations_dir = \"migrations\"\n",
                with: "migrations_dir = \"migrations\"\nmigrations_table = \"schema_history\"\n"
            )
        }
    }

    /// The names of the tables of the playground's database, through `d1 execute --json`.
    static func tables(_ project: PlaygroundProject) async throws -> [String] {
        let result = await project.cli(["d1", "execute", "DB", "--json", "--command", "SELECT name FROM sqlite_schema WHERE type = 'table'"])
        #expect(result.status == 0, "\(result.errors)")
        let rows = try JSONParser.parse(result.output)[0]?["results"]?.arrayValue ?? []
        return rows.compactMap { $0["name"]?.stringValue }
    }

    @Test func migrationsTableFromTheConfigRecordsTheMigrations() async throws {
        let project = try Self.customTableProject()
        let apply = await project.cli(["d1", "migrations", "apply", "DB", "--yes"])
        #expect(apply.status == 0, "\(apply.errors)")
        #expect(apply.output.contains("0001_create_tables.sql"))
        #expect(await project.cli(["d1", "migrations", "list", "DB"]).output.contains("No migrations to apply."))
        let tables = try await Self.tables(project)
        #expect(tables.contains("schema_history"))
        #expect(!tables.contains("d1_migrations"))
        let recorded = await project.cli(["d1", "execute", "DB", "--json", "--command", "SELECT name FROM schema_history"])
        #expect(try JSONParser.parse(recorded.output)[0]?["results"]?[0]?["name"] == .string("0001_create_tables.sql"))
    }

    @Test func devStartAppliesMigrationsIntoTheConfiguredTable() async throws {
        let project = try Self.customTableProject()
        let runtime = try await project.runtimeFactory(logger: .disabled)()
        await runtime.shutdown()
        #expect(await project.cli(["d1", "migrations", "list", "DB"]).output.contains("No migrations to apply."))
        let tables = try await Self.tables(project)
        #expect(tables.contains("schema_history") && tables.contains("cron_runs"))
        #expect(!tables.contains("d1_migrations"))
    }
}
