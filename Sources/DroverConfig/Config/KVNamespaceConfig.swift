/// A `[[kv_namespaces]]` entry (wrangler: `binding`, `id`).
public struct KVNamespaceConfig: Sendable, Equatable {
    /// The name the worker uses: `env.kv("BINDING")`.
    public var binding: String
    /// The namespace id; locally the storage folder name. Defaults to the binding.
    public var id: String

    /// Creates a KV namespace binding; `id` defaults to `binding`.
    public init(binding: String, id: String? = nil) {
        self.binding = binding
        self.id = id ?? binding
    }
}
