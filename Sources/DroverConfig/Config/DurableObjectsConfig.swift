/// A `[[durable_objects.bindings]]` entry (wrangler: `name`, `class_name`, `script_name`,
/// `environment`).
package struct DurableObjectBindingConfig: Sendable, Equatable {
    /// The name the worker uses: `env.durableObjects("NAME")`.
    package var name: String
    /// The class, as registered (`registry.register(durableObject:_:)`) and named in `[[migrations]]`.
    package var className: String
    /// The worker that exports the class, when it is not this one.
    package var scriptName: String?
    /// That worker's environment.
    package var environment: String?

    package init(name: String, className: String, scriptName: String? = nil, environment: String? = nil) {
        self.name = name
        self.className = className
        self.scriptName = scriptName
        self.environment = environment
    }
}

/// A `[[migrations]]` entry: what happens to Durable Object classes at the version `tag`.
package struct DurableObjectMigrationConfig: Sendable, Equatable {
    /// A class renamed: its objects, ids and storage carry over.
    package struct Rename: Sendable, Equatable {
        package var from: String
        package var to: String

        package init(from: String, to: String) {
            self.from = from
            self.to = to
        }
    }

    package var tag: String
    /// Classes with key-value storage only.
    package var newClasses: [String]
    /// Classes with SQLite storage (the key-value API and the SQL API).
    package var newSQLiteClasses: [String]
    package var renamedClasses: [Rename]
    /// Classes whose objects and storage are deleted.
    package var deletedClasses: [String]

    package init(tag: String, newClasses: [String] = [], newSQLiteClasses: [String] = [], renamedClasses: [Rename] = [], deletedClasses: [String] = []) {
        self.tag = tag
        self.newClasses = newClasses
        self.newSQLiteClasses = newSQLiteClasses
        self.renamedClasses = renamedClasses
        self.deletedClasses = deletedClasses
    }
}

/// The Durable Object classes that exist after every `[[migrations]]` entry, as wrangler works
/// them out (`class-names-sqlite.ts`).
package struct DurableObjectClasses: Sendable, Equatable {
    /// One class that exists.
    package struct Class: Sendable, Equatable {
        /// The name the class was created with: renames keep it, so its objects keep their ids
        /// and storage.
        package var origin: String
        /// Whether it was created with `new_sqlite_classes`.
        package var usesSQLite: Bool

        package init(origin: String, usesSQLite: Bool) {
            self.origin = origin
            self.usesSQLite = usesSQLite
        }
    }

    /// The classes that exist, by current name.
    package var classes: [String: Class] = [:]
    /// The origins of deleted classes, with the tag that deleted them.
    package var deleted: [(tag: String, origin: String)] = []

    package static func == (lhs: DurableObjectClasses, rhs: DurableObjectClasses) -> Bool {
        lhs.classes == rhs.classes && lhs.deleted.map(\.tag) == rhs.deleted.map(\.tag) && lhs.deleted.map(\.origin) == rhs.deleted.map(\.origin)
    }

    /// The classes after `migrations`, applied in order.
    /// - Throws: wrangler's message for a migration that does not fit the classes before it
    ///   (`Cannot apply new_classes migration to existing class Counter`), with the index of the
    ///   entry.
    package init(_ migrations: [DurableObjectMigrationConfig]) throws(MigrationError) {
        for (index, migration) in migrations.enumerated() {
            for (name, sqlite) in migration.newClasses.map({ ($0, false) }) + migration.newSQLiteClasses.map({ ($0, true) }) {
                guard classes[name] == nil else {
                    throw MigrationError(index: index, message: "Cannot apply \(sqlite ? "new_sqlite_classes" : "new_classes") migration to existing class \(name)")
                }
                classes[name] = Class(origin: name, usesSQLite: sqlite)
            }
            for rename in migration.renamedClasses {
                guard let existing = classes.removeValue(forKey: rename.from) else {
                    throw MigrationError(index: index, message: "Cannot apply renamed_classes migration to non-existent class \(rename.from)")
                }
                classes[rename.to] = existing
            }
            for name in migration.deletedClasses {
                guard let existing = classes.removeValue(forKey: name) else {
                    throw MigrationError(index: index, message: "Cannot apply deleted_classes migration to non-existent class \(name)")
                }
                deleted.append((migration.tag, existing.origin))
            }
        }
    }

    /// A migration that does not fit: wrangler's message, and which `[[migrations]]` entry.
    package struct MigrationError: Error, Sendable {
        package var index: Int
        package var message: String
    }
}
