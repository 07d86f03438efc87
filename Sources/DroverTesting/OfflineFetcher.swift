import Drover
import DroverConfig
import DroverRuntime
import Foundation

/// An outbound fetch that refuses every call: tests never reach the network by accident.
public struct OfflineFetcher: Fetcher {
    public init() {}

    public func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
        throw FetchError(kind: .connection, message: "outbound fetch is disabled in this test: \(request.method) \(request.url)")
    }
}
