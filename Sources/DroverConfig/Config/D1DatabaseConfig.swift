/// A `[[d1_databases]]` entry (wrangler: `binding`, `database_name`, `database_id`, `migrations_dir`,
/// `migrations_table`, `preview_database_id`).
package struct D1DatabaseConfig: Sendable, Equatable {
    /// The name the worker uses: `env.d1("DB")`.
    package var binding: String
    /// The database name used by `drover d1 ... NAME`. Defaults to the binding.
    package var databaseName: String
    /// The database id; locally the SQLite file name. Defaults to the database name.
    package var databaseID: String
    /// The migrations folder as written (default `migrations`), relative to the config directory.
    package var migrationsDir: String
    /// ``migrationsDir`` resolved against the config directory.
    package var migrationsPath: String
    /// The table recording applied migrations (`migrations_table`, default `d1_migrations`, as
    /// wrangler's `DEFAULT_MIGRATION_TABLE` in workers-sdk `packages/wrangler/src/d1/constants.ts`).
    package var migrationsTable: String
    /// `preview_database_id`: the database `wrangler dev --remote` uses on the platform. Kept and
    /// shown; locally the data lives under ``databaseID`` whatever it says.
    package var previewDatabaseID: String?

    /// Creates a D1 binding.
    /// - Parameters:
    ///   - binding: the binding name.
    ///   - databaseName: defaults to `binding`.
    ///   - databaseID: defaults to `databaseName`.
    ///   - migrationsDir: defaults to `migrations`.
    ///   - migrationsTable: defaults to `d1_migrations`.
    ///   - previewDatabaseID: `preview_database_id`, if given.
    ///   - configDirectory: the folder relative paths are resolved against.
    package init(
        binding: String,
        databaseName: String? = nil,
        databaseID: String? = nil,
        migrationsDir: String = "migrations",
        migrationsTable: String = "d1_migrations",
        previewDatabaseID: String? = nil,
        configDirectory: String = "."
    ) {
        self.binding = binding
        self.databaseName = databaseName ?? binding
        self.databaseID = databaseID ?? databaseName ?? binding
        self.migrationsDir = migrationsDir
        self.migrationsPath = ConfigPaths.resolve(migrationsDir, against: configDirectory)
        self.migrationsTable = migrationsTable
        self.previewDatabaseID = previewDatabaseID
    }
}
