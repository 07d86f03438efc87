import Drover

/// A service binding: calls another registered worker's `fetch` in-process, with the calling
/// runtime's bindings (one config describes the whole local deployment).
struct ServiceFetcher: Fetcher {
    let name: String
    let registry: WorkerRegistry
    let services: ServiceRegistry

    func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
        let worker = try registry.require(name)
        guard let (env, logger) = services.get() else {
            // Unreachable once the runtime is open: its Env (holding this binding) is set right after it is built.
            throw WorkerError.bindingMissing(name, kind: "service", configFile: "a runtime that has not finished opening")
        }
        let context = ExecutionContext(logger: logger.withLabel(name))
        let response: Response
        do {
            response = try await worker.fetch(request, env: env, ctx: context)
        } catch let error as HTTPError {
            response = error.response
        }
        await context.waitForBackgroundWork()
        return response
    }
}

/// The environment service bindings call with, set once the runtime's `Env` exists.
final class ServiceRegistry: Sendable {
    private let value = LockedValue<(Env, Logger)?>(nil)

    func set(env: Env, logger: Logger) {
        value.set((env, logger))
    }

    func get() -> (Env, Logger)? {
        value.get()
    }
}
