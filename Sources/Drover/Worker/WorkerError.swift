/// Errors about workers and their bindings.
public struct WorkerError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case handlerMissing
        case bindingMissing
        case bindingKind
        case bindingNotEmulated
        case requirementsUnmet
        case workerNotRegistered
        case durableObjectClassNotRegistered
    }

    private let code: Code
    /// What is wrong and how to fix it.
    public let message: String

    /// The worker has no such entry point.
    public static func handlerMissing(_ entryPoint: String) -> WorkerError {
        WorkerError(code: .handlerMissing, message: "Handler does not export a \(entryPoint)() function.")
    }

    /// No binding of that name is configured.
    public static func bindingMissing(_ name: String, kind: String, configFile: String) -> WorkerError {
        WorkerError(
            code: .bindingMissing,
            message: "no \(kind) binding named \"\(name)\": add it to \(configFile)"
        )
    }

    /// No secret of that name is set. A secret is not declared in the config: it comes from the
    /// `.dev.vars` beside it (git ignores that file, so a fresh clone has none) or the secret store.
    public static func secretMissing(_ name: String, configFile: String) -> WorkerError {
        WorkerError(
            code: .bindingMissing,
            message: "no secret named \"\(name)\": add a line \(name)=... to \(devVarsPath(beside: configFile)), or run drover secret put \(name)"
        )
    }

    /// The `.dev.vars` in the folder of `configFile`.
    static func devVarsPath(beside configFile: String) -> String {
        guard let slash = configFile.lastIndex(of: "/") else { return ".dev.vars" }
        return configFile[..<slash] + "/.dev.vars"
    }

    /// The binding exists but is of another kind.
    public static func bindingKind(_ name: String, expected: String, actual: String, configFile: String) -> WorkerError {
        WorkerError(
            code: .bindingKind,
            message: "binding \"\(name)\" in \(configFile) is a \(actual), not a \(expected)"
        )
    }

    /// The config declares the binding with a key Drover accepts but does not emulate.
    public static func bindingNotEmulated(_ name: String, kind: String, section: String, configFile: String) -> WorkerError {
        WorkerError(
            code: .bindingNotEmulated,
            message: "binding \"\(name)\" (\(kind), declared by \(section) in \(configFile)) is not emulated by Drover: "
                + "it exists on the platform only, so code that uses it cannot run under drover dev or replay"
        )
    }

    /// The worker's ``Worker/requirements`` that the config does not meet, each with where to declare it.
    public static func requirementsUnmet(_ missing: [String], configFile: String) -> WorkerError {
        WorkerError(
            code: .requirementsUnmet,
            message: "the worker needs what \(configFile) does not give it: " + missing.joined(separator: "; ")
        )
    }

    /// `main` names a worker that is not registered in this binary.
    public static func workerNotRegistered(_ name: String, available: [String]) -> WorkerError {
        let list = available.sorted().joined(separator: ", ")
        return WorkerError(
            code: .workerNotRegistered,
            message: "no worker named \"\(name)\" is registered in this binary (registered: \(list.isEmpty ? "none" : list))"
        )
    }

    /// `class_name` names a Durable Object class that is not registered in this binary.
    public static func durableObjectClassNotRegistered(_ className: String, binding: String, configFile: String, available: [String]) -> WorkerError {
        let list = available.sorted().joined(separator: ", ")
        return WorkerError(
            code: .durableObjectClassNotRegistered,
            message: "no Durable Object class named \"\(className)\" (binding \"\(binding)\" in \(configFile)) is registered in this binary "
                + "(registered: \(list.isEmpty ? "none" : list)); register it beside the worker: "
                + "registry.register(durableObject: \"\(className)\", \(className).self)"
        )
    }

    public var description: String { message }
}
