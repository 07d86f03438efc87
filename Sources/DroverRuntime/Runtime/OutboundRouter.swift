import Drover
import DroverConfig

/// A worker's outbound `fetch` under `drover dev` with `[[dev.outbound]]` routes: a request to a
/// routed host is answered by that route's worker of the session (through its host, as a service
/// binding is), unchanged — same URL, method, fields and body — so the calling worker's code is the
/// code it runs in production; every other request goes to `network`.
///
/// `--record` wraps this fetcher, so a routed exchange is recorded as an upstream entry like any
/// other, and its fixture replays without the routed worker.
package struct OutboundRouter: Fetcher {
    /// The routes, first match wins.
    package let routes: [OutboundRouteConfig]
    /// The session's workers.
    package let peers: ServicePeers
    /// Where an unrouted request goes.
    package let network: any Fetcher

    package init(routes: [OutboundRouteConfig], peers: ServicePeers, network: any Fetcher) {
        self.routes = routes
        self.peers = peers
        self.network = network
    }

    /// The route a request to `authority` takes, if any.
    package func route(for authority: String) -> OutboundRouteConfig? {
        routes.first { $0.matches(authority) }
    }

    package func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
        guard let route = route(for: request.authority) else { return try await network.fetch(request, timeout: timeout) }
        guard let host = peers.host(named: route.service) else {
            throw FetchError(
                kind: .connection,
                message: "\(request.method) \(request.url): routed by [[dev.outbound]] to worker \"\(route.service)\", "
                    + "which is not running in this dev session; start its config too (drover dev -c ... -c ...)")
        }
        guard ServiceFetcher.depth < ServiceFetcher.maximumDepth else {
            throw FetchError(
                kind: .other,
                message: "\(request.method) \(request.url): more than \(ServiceFetcher.maximumDepth) calls deep between the session's workers")
        }
        return await ServiceFetcher.$depth.withValue(ServiceFetcher.depth + 1) {
            await host.fetch(request)
        }
    }
}
