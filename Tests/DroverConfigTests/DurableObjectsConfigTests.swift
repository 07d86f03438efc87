import DroverConfig
import Testing

@Suite("[[durable_objects.bindings]] and [[migrations]]")
struct DurableObjectsConfigTests {
    private func decode(_ toml: String, environment: String? = nil) throws(ConfigError) -> LoadedConfig {
        try ConfigLoader.decode(Array(toml.utf8), configPath: "/project/wrangler-like.toml", environment: environment)
    }

    @Test("bindings and migrations are read as wrangler reads them; migrations are top-level and apply to every environment")
    func decodes() throws {
        let loaded = try decode(
            """
            name = "app"
            [[durable_objects.bindings]]
            name = "COUNTER"
            class_name = "Counter"
            [[durable_objects.bindings]]
            name = "REMOTE"
            class_name = "Limiter"
            script_name = "other"
            environment = "staging"
            [[migrations]]
            tag = "v1"
            new_sqlite_classes = ["Counter"]
            new_classes = ["Old"]
            [[migrations]]
            tag = "v2"
            renamed_classes = [{ from = "Old", to = "Older" }]
            deleted_classes = ["Older"]
            [env.production]
            durable_objects.bindings = [{ name = "COUNTER", class_name = "Counter" }]
            """)
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
        #expect(
            loaded.config.durableObjects == [
                DurableObjectBindingConfig(name: "COUNTER", className: "Counter"),
                DurableObjectBindingConfig(name: "REMOTE", className: "Limiter", scriptName: "other", environment: "staging"),
            ])
        #expect(loaded.config.migrations.map(\.tag) == ["v1", "v2"])
        #expect(loaded.config.migrations[1].renamedClasses == [.init(from: "Old", to: "Older")])
        let classes = try DurableObjectClasses(loaded.config.migrations)
        #expect(classes.classes == ["Counter": .init(origin: "Counter", usesSQLite: true)])
        #expect(classes.deleted.map(\.origin) == ["Old"])
        let production = try decode(
            """
            [[migrations]]
            tag = "v1"
            new_sqlite_classes = ["Counter"]
            [env.production]
            durable_objects.bindings = [{ name = "COUNTER", class_name = "Counter" }]
            """, environment: "production")
        #expect(production.config.migrations.map(\.tag) == ["v1"])
        #expect(production.config.durableObjects.map(\.name) == ["COUNTER"])
        #expect(loaded.config.renderText().contains("COUNTER  Durable Object namespace  class Counter (SQLite storage)"))
    }

    @Test("a migration that does not fit the classes before it is wrangler's error, at its entry")
    func migrationErrors() {
        let cases: [(String, String)] = [
            ("new_classes = [\"A\"]\n[[migrations]]\ntag = \"v2\"\nnew_sqlite_classes = [\"A\"]", "Cannot apply new_sqlite_classes migration to existing class A"),
            ("renamed_classes = [{ from = \"B\", to = \"C\" }]", "Cannot apply renamed_classes migration to non-existent class B"),
            ("deleted_classes = [\"Z\"]", "Cannot apply deleted_classes migration to non-existent class Z"),
        ]
        for (body, message) in cases {
            let error = #expect(throws: ConfigError.self) { try decode("[[migrations]]\ntag = \"v1\"\n" + body) }
            #expect(error?.description.contains(message) == true, "\(String(describing: error))")
            #expect(error?.description.hasPrefix("/project/wrangler-like.toml:") == true)
        }
    }

    @Test("required keys, wrangler's environment rule, duplicate tags and binding names are refused with positions")
    func refusals() {
        let missingClass = #expect(throws: ConfigError.self) { try decode("[[durable_objects.bindings]]\nname = \"A\"\n") }
        #expect(missingClass?.description == "/project/wrangler-like.toml:1:19: \"class_name\" is required in [[durable_objects.bindings]]")
        let environment = #expect(throws: ConfigError.self) {
            try decode("[[durable_objects.bindings]]\nname = \"A\"\nclass_name = \"A\"\nenvironment = \"x\"\n")
        }
        #expect(environment?.description.contains("binding should have a \"script_name\" field if \"environment\" is present.") == true)
        let duplicateTag = #expect(throws: ConfigError.self) { try decode("[[migrations]]\ntag = \"v1\"\n[[migrations]]\ntag = \"v1\"\n") }
        #expect(duplicateTag?.description.hasPrefix("/project/wrangler-like.toml:4:7:") == true)
        let duplicateName = #expect(throws: ConfigError.self) {
            try decode("[vars]\nA = \"x\"\n[[durable_objects.bindings]]\nname = \"A\"\nclass_name = \"C\"\n")
        }
        #expect(duplicateName?.description.contains("binding name \"A\" is already used") == true)
    }
}
