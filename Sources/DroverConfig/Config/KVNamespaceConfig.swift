/// A `[[kv_namespaces]]` entry (wrangler: `binding`, `id`, `preview_id`).
package struct KVNamespaceConfig: Sendable, Equatable {
    /// The name the worker uses: `env.kv("BINDING")`.
    package var binding: String
    /// The namespace id; locally the storage folder name. Defaults to the binding.
    package var id: String
    /// `preview_id`: the namespace `wrangler dev --remote` uses on the platform. Kept and shown;
    /// locally the data lives under ``id`` whatever it says.
    package var previewID: String?

    /// Creates a KV namespace binding; `id` defaults to `binding`.
    package init(binding: String, id: String? = nil, previewID: String? = nil) {
        self.binding = binding
        self.id = id ?? binding
        self.previewID = previewID
    }
}
