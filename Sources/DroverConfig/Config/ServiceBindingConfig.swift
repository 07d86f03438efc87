/// A `[[services]]` entry (wrangler: `binding`, `service`, `environment`, `entrypoint`).
package struct ServiceBindingConfig: Sendable, Equatable {
    /// The name the worker uses: `env.service("BINDING")`.
    package var binding: String
    /// The registered worker called.
    package var service: String
    /// The target's environment, if any.
    package var environment: String?
    /// A named entrypoint of the target, if any.
    package var entrypoint: String?

    /// Creates a service binding.
    package init(binding: String, service: String, environment: String? = nil, entrypoint: String? = nil) {
        self.binding = binding
        self.service = service
        self.environment = environment
        self.entrypoint = entrypoint
    }
}
