/// A binding, var or secret a worker needs to run, declared with ``Worker/requirements``:
///
/// ```swift
/// struct Shop: Worker {
///     var requirements: [WorkerRequirement] {
///         [.kv("SESSIONS"), .d1("DB"), .queue("EMAILS"), .secret("SHOPIFY_API_SECRET"), .var("SHOP_DOMAIN")]
///     }
/// }
/// ```
///
/// `drover dev`, `drover replay` and `TestClient` check them before the worker serves anything and
/// refuse to start, naming every one that is missing and where to declare it, instead of failing at
/// the first request that reaches for it. (wrangler's `secrets.required` does the same for secrets.)
public struct WorkerRequirement: Sendable, Hashable, CustomStringConvertible {
    /// What kind of thing is required.
    public enum Kind: String, Sendable, Hashable {
        case kv = "KV namespace"
        case d1 = "D1 database"
        case queue = "queue producer"
        case service = "service binding"
        case durableObjects = "Durable Object namespace"
        case secret = "secret"
        case `var` = "var"
    }

    /// The binding's (or var's, or secret's) name.
    public var name: String
    /// Its kind.
    public var kind: Kind

    /// A requirement of `kind` named `name`.
    public init(_ kind: Kind, _ name: String) {
        self.kind = kind
        self.name = name
    }

    /// A KV namespace bound as `name`.
    public static func kv(_ name: String) -> WorkerRequirement { WorkerRequirement(.kv, name) }
    /// A D1 database bound as `name`.
    public static func d1(_ name: String) -> WorkerRequirement { WorkerRequirement(.d1, name) }
    /// A queue producer bound as `name`.
    public static func queue(_ name: String) -> WorkerRequirement { WorkerRequirement(.queue, name) }
    /// A service binding named `name`.
    public static func service(_ name: String) -> WorkerRequirement { WorkerRequirement(.service, name) }
    /// A Durable Object namespace bound as `name`.
    public static func durableObjects(_ name: String) -> WorkerRequirement { WorkerRequirement(.durableObjects, name) }
    /// A secret named `name`.
    public static func secret(_ name: String) -> WorkerRequirement { WorkerRequirement(.secret, name) }
    /// A var named `name`.
    public static func `var`(_ name: String) -> WorkerRequirement { WorkerRequirement(.var, name) }

    /// `KV namespace "SESSIONS"`.
    public var description: String { "\(kind.rawValue) \"\(name)\"" }

    /// Where a user declares it, for the error that names it missing.
    func remedy(configFile: String) -> String {
        switch kind {
        case .kv: "[[kv_namespaces]] binding = \"\(name)\""
        case .d1: "[[d1_databases]] binding = \"\(name)\""
        case .queue: "[[queues.producers]] binding = \"\(name)\""
        case .service: "[[services]] binding = \"\(name)\""
        case .durableObjects: "[[durable_objects.bindings]] name = \"\(name)\""
        case .secret: "a line \(name)=... in \(WorkerError.devVarsPath(beside: configFile)), or drover secret put \(name)"
        case .var: "\(name) = ... under [vars]"
        }
    }

    /// The requirements that `isMet` says are not met, as one error naming each and where to
    /// declare it, or nil when all are met.
    package static func unmet(
        _ requirements: [WorkerRequirement],
        configFile: String,
        isMet: (WorkerRequirement) -> Bool
    ) -> WorkerError? {
        let missing = requirements.filter { !isMet($0) }
        guard !missing.isEmpty else { return nil }
        return WorkerError.requirementsUnmet(missing.map { "\($0) (\($0.remedy(configFile: configFile)))" }, configFile: configFile)
    }
}
