/// A `[[services]]` entry (wrangler: `binding`, `service`, `environment`, `entrypoint`).
public struct ServiceBindingConfig: Sendable, Equatable {
    /// The name the worker uses: `env.service("BINDING")`.
    public var binding: String
    /// The registered worker called.
    public var service: String
    /// The target's environment, if any.
    public var environment: String?
    /// A named entrypoint of the target, if any.
    public var entrypoint: String?

    /// Creates a service binding.
    public init(binding: String, service: String, environment: String? = nil, entrypoint: String? = nil) {
        self.binding = binding
        self.service = service
        self.environment = environment
        self.entrypoint = entrypoint
    }
}
