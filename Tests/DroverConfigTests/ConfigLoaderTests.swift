import Foundation
import Testing

@testable import DroverConfig

@Suite("wrangler-like.toml model")
struct ConfigLoaderTests {
    static let sample = """
        name = "shop"
        main = "integrations"
        compatibility_date = "2024-09-23"
        routes = ["shop.example.com/*", { pattern = "api.example.com/*", zone_name = "example.com" }]

        [vars]
        API_VERSION = "2024-07"
        PAGE_SIZE = 50
        RATIO = 0.5
        DEBUG = false
        LIMITS = { burst = 10, names = ["a", "b"] }

        [[kv_namespaces]]
        binding = "SESSIONS"

        [[kv_namespaces]]
        binding = "CACHE"
        id = "cache-ns"

        [[d1_databases]]
        binding = "DB"
        database_name = "shop-db"
        database_id = "0000-1111"

        [[queues.producers]]
        queue = "emails"
        binding = "EMAILS"
        delivery_delay = 30

        [[queues.consumers]]
        queue = "emails"
        max_batch_size = 25
        dead_letter_queue = "emails-dlq"
        retry_delay = 60

        [[queues.consumers]]
        queue = "orders"

        [triggers]
        crons = ["*/15 * * * *", "0 3 * * MON-FRI"]

        [[services]]
        binding = "GATEWAY"
        service = "gateway"

        [env.staging]
        compatibility_date = "2024-10-01"

        [env.staging.vars]
        API_VERSION = "2024-10"

        [[env.staging.kv_namespaces]]
        binding = "SESSIONS"
        id = "staging-sessions"

        [env.production]
        name = "shop-live"
        main = "integrations-v2"
        """

    static func decode(_ text: String, env: String? = nil) throws(ConfigError) -> LoadedConfig {
        try ConfigLoader.decode(Array(text.utf8), configPath: "/srv/app/wrangler-like.toml", environment: env)
    }

    static func error(_ text: String, env: String? = nil) -> ConfigError? {
        do {
            _ = try decode(text, env: env)
            return nil
        } catch {
            return error
        }
    }

    @Test("the top level decodes with wrangler's defaults")
    func topLevel() throws {
        let loaded = try Self.decode(Self.sample)
        let c = loaded.config
        #expect(loaded.warnings.isEmpty)
        #expect(c.configPath == "/srv/app/wrangler-like.toml")
        #expect(c.configDirectory == "/srv/app")
        #expect(c.name == "shop" && c.main == "integrations" && c.compatibilityDate == "2024-09-23")
        #expect(c.vars["API_VERSION"] == .string("2024-07"))
        #expect(c.vars["PAGE_SIZE"] == .integer(50))
        #expect(c.vars["RATIO"] == .float(0.5))
        #expect(c.vars["DEBUG"] == .bool(false))
        #expect(c.vars["LIMITS"] == .object(["burst": .integer(10), "names": .array([.string("a"), .string("b")])]))
        #expect(c.vars["LIMITS"]?.jsonText == #"{"burst":10,"names":["a","b"]}"#)
        #expect(c.kvNamespaces == [KVNamespaceConfig(binding: "SESSIONS", id: "SESSIONS"), KVNamespaceConfig(binding: "CACHE", id: "cache-ns")])
        let db = try #require(c.d1Databases.first)
        #expect(db.databaseName == "shop-db" && db.databaseID == "0000-1111")
        #expect(db.migrationsDir == "migrations" && db.migrationsPath == "/srv/app/migrations")
        #expect(db.migrationsTable == "d1_migrations")
        #expect(c.queues.producers == [QueueProducerConfig(binding: "EMAILS", queue: "emails", deliveryDelay: 30)])
        #expect(
            c.queues.consumers == [
                QueueConsumerConfig(queue: "emails", maxBatchSize: 25, deadLetterQueue: "emails-dlq", retryDelay: 60),
                QueueConsumerConfig(queue: "orders", maxBatchSize: 10, maxBatchTimeout: 5, maxRetries: 3),
            ]
        )
        #expect(c.triggers.crons.map(\.source) == ["*/15 * * * *", "0 3 * * MON-FRI"])
        #expect(c.services == [ServiceBindingConfig(binding: "GATEWAY", service: "gateway")])
        #expect(c.routes == [RouteConfig(pattern: "shop.example.com/*"), RouteConfig(pattern: "api.example.com/*", zoneName: "example.com")])
    }

    @Test("migrations_table names the table recording applied migrations (wrangler's default d1_migrations)")
    func migrationsTable() throws {
        let loaded = try Self.decode(
            """
            name = "shop"
            [[d1_databases]]
            binding = "DB"
            migrations_table = "schema_history"
            """
        )
        #expect(loaded.warnings.isEmpty)
        #expect(loaded.config.d1Databases.first?.migrationsTable == "schema_history")
    }

    @Test("environments inherit top-level keys but not vars and bindings")
    func inheritance() throws {
        let staging = try Self.decode(Self.sample, env: "staging")
        let s = staging.config
        #expect(s.environment == "staging")
        #expect(s.name == "shop-staging")  // wrangler: <name>-<env> unless the env sets a name
        #expect(s.main == "integrations")
        #expect(s.compatibilityDate == "2024-10-01")
        #expect(s.routes.count == 2)
        #expect(s.triggers.crons.count == 2)
        #expect(s.vars == ["API_VERSION": .string("2024-10")])
        #expect(s.kvNamespaces == [KVNamespaceConfig(binding: "SESSIONS", id: "staging-sessions")])
        #expect(s.d1Databases.isEmpty && s.queues.producers.isEmpty && s.queues.consumers.isEmpty && s.services.isEmpty)
        let warned = staging.warnings.map(\.message)
        for key in ["d1_databases", "queues", "services"] {
            #expect(warned.contains { $0.hasPrefix("\"\(key)\" exists at the top level, but not in [env.staging]") }, "\(key)")
        }
        #expect(!warned.contains { $0.hasPrefix("\"vars\"") })

        let production = try Self.decode(Self.sample, env: "production").config
        #expect(production.name == "shop-live" && production.main == "integrations-v2")
        #expect(production.compatibilityDate == "2024-09-23")
        #expect(production.vars.isEmpty && production.kvNamespaces.isEmpty)
    }

    @Test("an unknown environment is an error naming the defined ones")
    func unknownEnvironment() throws {
        let error = try #require(Self.error(Self.sample, env: "qa"))
        #expect(error.kind == .unknownEnvironment)
        #expect(error.description.contains("\"qa\"") && error.description.contains("\"staging\", \"production\""))
    }

    @Test("unknown keys are warnings naming the key and its line")
    func unknownKeys() throws {
        let loaded = try Self.decode("name = \"w\"\nworkers_devv = true\n[[kv_namespaces]]\nbinding = \"K\"\nttl = 5\n")
        #expect(
            loaded.warnings.map(\.description) == [
                "/srv/app/wrangler-like.toml:2:1: warning: unknown key \"workers_devv\" at the top level is ignored",
                "/srv/app/wrangler-like.toml:5:1: warning: unknown key \"ttl\" in [[kv_namespaces]] is ignored",
            ]
        )
    }

    @Test(
        "validation errors name file, line and column",
        arguments: [
            ("main = 1\n", "1:8: main must be a string, found an integer"),
            ("compatibility_date = \"2024-13-01\"\n", "1:22: compatibility_date must be YYYY-MM-DD"),
            ("[vars]\nWHEN = 2024-01-01\n", "2:8: vars.WHEN must be a string, number, boolean, array or table, found a local date"),
            ("kv_namespaces = 3\n", "1:17: kv_namespaces must be an array of tables"),
            ("[[kv_namespaces]]\nid = \"x\"\n", "1:3: \"binding\" is required in [[kv_namespaces]]"),
            ("[[queues.consumers]]\nqueue = \"q\"\nmax_batch_size = 101\n", "3:18: queues.consumers[0].max_batch_size must be 1-100"),
            ("[[queues.consumers]]\nqueue = \"q\"\nmax_batch_timeout = 61\n", "3:21: queues.consumers[0].max_batch_timeout must be 0-60"),
            ("[[queues.consumers]]\nqueue = \"q\"\nmax_retries = 101\n", "3:15: queues.consumers[0].max_retries must be 0-100"),
            (
                "[[queues.consumers]]\nqueue = \"q\"\nmax_retries = \"3\"\n",
                "3:15: queues.consumers[0].max_retries must be an integer, found a string"
            ),
            (
                "[[queues.producers]]\nqueue = \"q\"\nbinding = \"Q\"\ndelivery_delay = 43201\n",
                "4:18: queues.producers[0].delivery_delay must be 0-43200"
            ),
            ("[[queues.consumers]]\nqueue = \"q\"\n[[queues.consumers]]\nqueue = \"q\"\n", "4:9: queue \"q\" already has a consumer"),
            ("[triggers]\ncrons = [\"0 0 * * *\", \"61 * * * *\"]\n", "2:24: invalid cron expression \"61 * * * *\": minute 61 is outside 0-59"),
            ("[triggers]\ncrons = [\"* * * * FOO\"]\n", "2:19: invalid cron expression \"* * * * FOO\": invalid day-of-week 'FOO'"),
            (
                "[triggers]\ncrons = [\"0 17 * * 0\"]\n",
                "2:20: invalid cron expression \"0 17 * * 0\": day-of-week 0 is not a day on Cloudflare: days are 1-7 with 1 = Sunday"
            ),
            (
                "[[kv_namespaces]]\nbinding = \"A\"\n[[d1_databases]]\nbinding = \"A\"\n",
                "4:11: binding name \"A\" is already used (at /srv/app/wrangler-like.toml:2:11)"
            ),
            ("[vars]\nX = \"1\"\n[[services]]\nbinding = \"X\"\nservice = \"s\"\n", "4:11: binding name \"X\" is already used"),
            ("name = \"a\"\nname = \"b\"\n", "2:1: duplicate key name"),
            ("route = \"a/*\"\nroutes = [\"b/*\"]\n", "1:9: use either route or routes, not both"),
            ("[env.staging]\nmain = false\n", nil),
        ] as [(String, String?)]
    )
    func validationErrors(input: String, expected: String?) throws {
        guard let expected else {
            // Only the selected environment is decoded; with it selected, the error appears.
            #expect(Self.error(input) == nil)
            let error = try #require(Self.error(input, env: "staging"))
            #expect(error.description == "/srv/app/wrangler-like.toml:2:8: env.staging.main must be a string, found a boolean")
            return
        }
        let error = try #require(Self.error(input), "accepted: \(input)")
        #expect(error.description.hasPrefix("/srv/app/wrangler-like.toml:" + expected), "\(error)")
        #expect(error.line != nil && error.column != nil)
    }

    @Test("a queue that is its own dead letter queue is rejected with wrangler's message")
    func selfDeadLetterQueue() throws {
        let error = try #require(Self.error("[[queues.consumers]]\nqueue = \"jobs\"\ndead_letter_queue = \"jobs\"\n"))
        #expect(error.kind == .deadLetterQueueIsItself)
        #expect(error.description == "/srv/app/wrangler-like.toml:3:21: Dead letter queue for queue \"jobs\" cannot be itself")
    }

    @Test("TOML syntax errors keep their position")
    func tomlErrors() throws {
        let error = try #require(Self.error("name = \"w\"\n[vars\n"))
        #expect(error.kind == .invalidTOML)
        #expect(error.line == 2 && error.column == 6)
        #expect(error.underlying != nil)
    }

    @Test("the JSON rendering has a stable key order and hides secret values")
    func jsonRendering() throws {
        var config = try Self.decode(Self.sample).config
        config.secrets = ["API_TOKEN": Secret("tok-123")]
        let json = config.renderJSON()
        #expect(json == config.renderJSON())
        #expect(!json.contains("tok-123"))
        #expect(json.contains("\"API_TOKEN\": \"(hidden)\""))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["name"] as? String == "shop")
        let consumers = try #require((object["queues"] as? [String: Any])?["consumers"] as? [[String: Any]])
        #expect(consumers[1]["max_batch_size"] as? Int == 10)
        let keys = json.split(separator: "\n").filter { $0.hasPrefix("  \"") }.map { $0.split(separator: "\"")[1] }
        #expect(keys.prefix(4) == ["config_path", "config_directory", "environment", "name"])
        let text = config.renderText()
        #expect(text.contains("SESSIONS  KV namespace  id=SESSIONS"))
        #expect(text.contains("API_TOKEN  secret  (hidden)") && !text.contains("tok-123"))
    }

    @Test("loading from disk reads .dev.vars beside the config, or .dev.vars.<env> instead of it")
    func loadFromDisk() throws {
        let dir = try TemporaryDirectory()
        let configPath = dir.path + "/wrangler-like.toml"
        try Self.sample.write(toFile: configPath, atomically: true, encoding: .utf8)
        try "API_TOKEN=dev-token\nSHARED=from-dev-vars\n".write(toFile: dir.path + "/.dev.vars", atomically: true, encoding: .utf8)
        try "API_TOKEN=staging-token\n".write(toFile: dir.path + "/.dev.vars.staging", atomically: true, encoding: .utf8)
        let state = dir.path + "/.drover/state"
        let store = SecretStore(stateDirectory: state)
        try store.put("SHARED", Secret("stored"))
        try store.put("ONLY_STORED", Secret("kept"))

        let top = try ConfigLoader.load(configPath: configPath, stateDirectory: state).config
        #expect(top.secrets.mapValues { $0.reveal() } == ["API_TOKEN": "dev-token", "SHARED": "from-dev-vars", "ONLY_STORED": "kept"])
        #expect(top.devVarsPaths == [dir.path + "/.dev.vars"])
        #expect(top.d1Databases.first?.migrationsPath == dir.path + "/migrations")
        #expect(top.defaultStateDirectory == state)

        let staging = try ConfigLoader.load(configPath: configPath, environment: "staging").config
        #expect(staging.secrets.mapValues { $0.reveal() } == ["API_TOKEN": "staging-token"])
        let production = try ConfigLoader.load(configPath: configPath, environment: "production").config
        #expect(production.secrets["API_TOKEN"]?.reveal() == "dev-token")

        #expect(throws: ConfigError.self) { try ConfigLoader.load(configPath: dir.path + "/missing.toml") }
    }
}

/// A fresh folder under the system temporary directory, removed on deinit.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "drover-config-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

extension ConfigLoaderTests {
    @Test("messages stay on one line when keys hold control characters")
    func oneLineMessages() throws {
        let loaded = try Self.decode("\"bad\\nkey\" = 1\n")
        #expect(
            loaded.warnings.first?.description == "/srv/app/wrangler-like.toml:1:1: warning: unknown key \"bad\\nkey\" at the top level is ignored"
        )
        let error = try #require(Self.error("[vars]\n\"a\\nb\" = 2024-01-01\n"))
        #expect(!error.description.contains("\n"))
    }
}
