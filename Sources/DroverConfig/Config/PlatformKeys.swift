/// A binding the config declares with a key wrangler knows but Drover does not emulate
/// (`[[r2_buckets]]`, `[ai]`, ...). The worker gets a binding of that
/// name that explains itself when used, instead of a puzzling "no binding named X".
package struct NotEmulatedBinding: Sendable, Equatable {
    /// The binding's name (`env.BUCKET`).
    package var name: String
    /// What it is on the platform, for people: "R2 bucket".
    package var kind: String
    /// The config key that declares it, as written in messages: `[[r2_buckets]]`.
    package var section: String

    /// Creates an entry.
    package init(name: String, kind: String, section: String) {
        self.name = name
        self.kind = kind
        self.section = section
    }
}

/// The keys of wrangler's configuration that Drover accepts without emulating them
/// (https://developers.cloudflare.com/workers/wrangler/configuration/).
enum PlatformKeys {
    /// How a binding key lays out its bindings.
    enum Shape {
        /// `[[key]]` tables, each naming its binding with `field`.
        case tables(field: String)
        /// One `[key]` table naming its binding with `field` (absent: no binding).
        case table(field: String)
        /// `[key]` with a `bindings` array of tables, each naming its binding with `field`
        /// (`[[durable_objects.bindings]]`).
        case nestedTables(field: String)
        /// `[key]` whose keys are the binding names (`[wasm_modules]` in the service-worker format).
        case names
    }

    /// Binding keys, with what their bindings are and how they are written.
    static let bindings: [(key: String, kind: String, shape: Shape)] = [
        ("r2_buckets", "R2 bucket", .tables(field: "binding")),
        ("ratelimits", "rate limiter", .tables(field: "name")),
        ("workflows", "Workflow", .tables(field: "binding")),
        ("analytics_engine_datasets", "Analytics Engine dataset", .tables(field: "binding")),
        ("vectorize", "Vectorize index", .tables(field: "binding")),
        ("hyperdrive", "Hyperdrive configuration", .tables(field: "binding")),
        ("send_email", "email sender", .tables(field: "name")),
        ("dispatch_namespaces", "dispatch namespace", .tables(field: "binding")),
        ("mtls_certificates", "mTLS certificate", .tables(field: "binding")),
        ("pipelines", "Pipeline", .tables(field: "binding")),
        ("secrets_store_secrets", "Secrets Store secret", .tables(field: "binding")),
        ("vpc_services", "VPC service", .tables(field: "binding")),
        ("worker_loaders", "Worker Loader", .tables(field: "binding")),
        ("ai", "Workers AI", .table(field: "binding")),
        ("browser", "Browser Rendering", .table(field: "binding")),
        ("images", "Images", .table(field: "binding")),
        ("media", "Media Transformations", .table(field: "binding")),
        ("version_metadata", "version metadata", .table(field: "binding")),
        ("assets", "static assets", .table(field: "binding")),
        ("wasm_modules", "WebAssembly module", .names),
        ("text_blobs", "text blob", .names),
        ("data_blobs", "data blob", .names),
    ]

    /// Keys about deploying, building or the platform's settings, which mean nothing to a local
    /// run: accepted without a warning (they are listed by `drover config print`).
    static let platformOnly: Set<String> = [
        "account_id", "workers_dev", "preview_urls", "usage_model", "limits", "placement", "observability", "logpush",
        "build", "rules", "no_bundle", "minify", "find_additional_modules", "base_dir", "preserve_file_names",
        "upload_source_maps", "node_compat", "tsconfig", "keep_vars", "send_metrics", "site", "legacy_env",
        "tail_consumers", "streaming_tail_consumers", "alias", "define", "jsx_factory", "jsx_fragment", "keep_names",
        "first_party_worker", "compliance_region", "containers", "python_modules", "unsafe", "logfwdr", "cloudchamber",
        "$schema",
    ]

    /// Every binding key.
    static let bindingKeys: Set<String> = Set(bindings.map(\.key))
}
