import Drover
import Foundation
import Testing

@testable import DroverConfig

/// Keys wrangler accepts that Drover does not emulate: bindings are kept, named and explained;
/// platform-only settings are accepted without a warning.
@Suite("wrangler keys Drover does not emulate")
struct PlatformKeysTests {
    private func decode(_ toml: String, environment: String? = nil) throws -> LoadedConfig {
        try ConfigLoader.decode(Array(toml.utf8), configPath: "/project/wrangler-like.toml", environment: environment)
    }

    @Test("bindings of every layout are collected with their kind and section, grouped by key")
    func bindingsAreCollected() throws {
        let loaded = try decode(
            """
            name = "app"
            account_id = "abc"
            workers_dev = true
            [[r2_buckets]]
            binding = "BUCKET"
            bucket_name = "files"
            [[durable_objects.bindings]]
            name = "COUNTER"
            class_name = "Counter"
            [[ratelimits]]
            name = "LIMITER"
            namespace_id = "1001"
            simple = { limit = 100, period = 60 }
            [ai]
            binding = "AI"
            [text_blobs]
            NOTES = "notes.txt"
            [observability]
            enabled = true
            """
        )
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
        let config = loaded.config
        #expect(
            config.notEmulatedBindings == [
                NotEmulatedBinding(name: "BUCKET", kind: "R2 bucket", section: "[[r2_buckets]]"),
                NotEmulatedBinding(name: "LIMITER", kind: "rate limiter", section: "[[ratelimits]]"),
                NotEmulatedBinding(name: "AI", kind: "Workers AI", section: "[ai]"),
                NotEmulatedBinding(name: "NOTES", kind: "text blob", section: "[text_blobs]"),
            ]
        )
        #expect(config.platformOnlyKeys == ["account_id", "observability", "workers_dev"])
        let text = config.renderText()
        #expect(text.contains("BUCKET  R2 bucket  not emulated by Drover ([[r2_buckets]])"))
        #expect(text.contains("not used locally: account_id, observability, workers_dev"))
    }

    @Test("an unknown key is still a warning with its position")
    func unknownKeysStillWarn() throws {
        let loaded = try decode("name = \"app\"\nr2_bucket = []\n")
        #expect(loaded.warnings.map(\.description) == ["/project/wrangler-like.toml:2:1: warning: unknown key \"r2_bucket\" at the top level is ignored"])
    }

    @Test("a binding without its name is an error at its table; its name counts for duplicates")
    func malformedBindings() throws {
        let missing = try #require(throws: ConfigError.self) { try decode("[[r2_buckets]]\nbucket_name = \"files\"\n") }
        #expect(missing.description.contains("\"binding\" is required in [[r2_buckets]]"))
        let duplicate = try #require(throws: ConfigError.self) {
            try decode("[vars]\nBUCKET = \"x\"\n[[r2_buckets]]\nbinding = \"BUCKET\"\n")
        }
        #expect(duplicate.description.contains("binding name \"BUCKET\" is already used"))
    }

    @Test("not inherited by environments, as every binding")
    func notInherited() throws {
        let toml = "[[r2_buckets]]\nbinding = \"TOP\"\n[env.staging]\n[[env.staging.r2_buckets]]\nbinding = \"STAGING\"\n"
        #expect(try decode(toml).config.notEmulatedBindings.map(\.name) == ["TOP"])
        #expect(try decode(toml, environment: "staging").config.notEmulatedBindings.map(\.name) == ["STAGING"])
    }

    @Test("preview_id and preview_database_id are kept and shown, not dropped")
    func previewIDsAreShown() throws {
        let d1 = try decode("[[d1_databases]]\nbinding = \"DB\"\npreview_database_id = \"prev-db\"\n").config
        #expect(d1.d1Databases.first?.previewDatabaseID == "prev-db")
        #expect(d1.renderText().contains("preview_database_id=prev-db)"))
        let config = try decode("[[kv_namespaces]]\nbinding = \"KV\"\nid = \"prod\"\npreview_id = \"prev\"\n").config
        #expect(config.kvNamespaces.first?.previewID == "prev")
        #expect(config.renderText().contains("KV  KV namespace  id=prod preview_id=prev"))
        #expect(config.renderJSON().contains("\"preview_id\" : \"prev\"") || config.renderJSON().contains("\"preview_id\": \"prev\""))
    }

    @Test("[dev] ip and port are read, in range")
    func devListenSettings() throws {
        let config = try decode("[dev]\nip = \"0.0.0.0\"\nport = 9000\n").config
        #expect(config.dev.ip == "0.0.0.0" && config.dev.port == 9000)
        let error = try #require(throws: ConfigError.self) { try decode("[dev]\nport = 70000\n") }
        #expect(error.description.hasPrefix("/project/wrangler-like.toml:2:8:"))
    }

    @Test("[[dev.outbound]] is read (host in lower case), rendered, and a bad entry is refused where it stands")
    func devOutbound() throws {
        let loaded = try decode(
            "[[dev.outbound]]\nhost = \"*.MyShopify.com\"\nservice = \"upstream-fakes\"\n\n[[dev.outbound]]\nhost = \"api.resend.example\"\nservice = \"fakes\"\nnote = 1\n")
        #expect(loaded.config.dev.outbound == [
            OutboundRouteConfig(host: "*.myshopify.com", service: "upstream-fakes"), OutboundRouteConfig(host: "api.resend.example", service: "fakes"),
        ])
        #expect(loaded.warnings.map(\.description).contains { $0.contains(#"unknown key "note" in [[dev.outbound]]"#) })
        #expect(loaded.config.renderText().contains("dev outbound: *.myshopify.com -> worker upstream-fakes"))
        let scheme = try #require(throws: ConfigError.self) { try decode("[[dev.outbound]]\nhost = \"https://api.example.com\"\nservice = \"f\"\n") }
        #expect(scheme.description.hasPrefix("/project/wrangler-like.toml:2:8:"))
        #expect(scheme.description.contains("without scheme, port or path"))
        let missing = try #require(throws: ConfigError.self) { try decode("[[dev.outbound]]\nhost = \"api.example.com\"\n") }
        #expect(missing.description.contains("service"))
        #expect(throws: ConfigError.self) { try decode("[dev]\noutbound = \"api.example.com\"\n") }
    }
}

