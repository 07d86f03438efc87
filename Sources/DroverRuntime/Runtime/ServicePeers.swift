import Drover
import DroverConfig
import Synchronization

/// The workers of one `drover dev` session (`drover dev -c a.toml -c b.toml`), by name: a service
/// binding to a worker of the session calls that worker's host, so it runs with its own bindings,
/// vars and secrets, logs under its own name and keeps its own `waitUntil` work — as two workers
/// bound to each other do on the platform.
///
/// A worker is found by its config's `name` (what `[[services]] service = "…"` names, as in
/// wrangler), or its `main` when the config has no name; two configs may run one compiled worker
/// under two names. One set per generation of the session: a
/// reload builds every worker again with a new set, so a binding never reaches a worker of an
/// older version.
package final class ServicePeers: Sendable {
    private let hosts = Mutex<[String: WorkerHost]>([:])

    package init() {}

    /// Makes `runtime`'s worker reachable under its config's `name` (else its `main`).
    /// - Throws: ``DevSessionError`` when another worker of the session already has one of the names.
    package func add(_ runtime: WorkerRuntime) throws {
        let names = [runtime.config.name ?? runtime.config.main].compactMap { $0 }
        try hosts.withLock { hosts in
            for name in names {
                if let other = hosts[name], other !== runtime.host {
                    throw DevSessionError(
                        "two workers of this dev session are named \"\(name)\" (\(runtime.config.configPath) and another config): "
                            + "service bindings could not tell them apart; give each config its own name")
                }
            }
            for name in names { hosts[name] = runtime.host }
        }
    }

    /// The host of the worker named `name`, if it is in the session.
    func host(named name: String) -> WorkerHost? {
        hosts.withLock { $0[name] }
    }

    /// The names the session's workers answer to, sorted.
    package var names: [String] {
        hosts.withLock { $0.keys.sorted() }
    }
}

/// A dev session that cannot be put together.
package struct DevSessionError: Error, CustomStringConvertible {
    package let description: String

    package init(_ description: String) {
        self.description = description
    }
}

extension WorkerRuntime {
    /// Opens the workers of one `drover dev` session, in order (the first is the one served): each
    /// with its own config and options, all sharing one set of ``ServicePeers`` for their service
    /// bindings, and each config's `[[dev.outbound]]` routes put in front of its options' fetcher
    /// (``OutboundRouter``). When one cannot be opened, those opened before it are closed and the
    /// error is thrown.
    package static func openSession(
        _ members: [(config: DroverConfig, options: RuntimeOptions)],
        registry: WorkerRegistry
    ) async throws -> [WorkerRuntime] {
        let peers = ServicePeers()
        var runtimes: [WorkerRuntime] = []
        do {
            for (config, memberOptions) in members {
                var options = memberOptions
                options.servicePeers = peers
                if !config.dev.outbound.isEmpty {
                    options.fetcher = OutboundRouter(routes: config.dev.outbound, peers: peers, network: options.fetcher)
                }
                let runtime = try await WorkerRuntime(config: config, registry: registry, options: options)
                runtimes.append(runtime)
                try peers.add(runtime)
            }
        } catch {
            // The workers opened before the one that failed hold their stores open: close them.
            for runtime in runtimes { await runtime.shutdown(gracePeriod: .zero) }
            throw error
        }
        return runtimes
    }
}
