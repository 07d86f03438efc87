import Drover

/// A ``Fetcher`` that passes every exchange to an observer: the request, its body bytes, and the
/// response with its body in memory or the error. `drover dev --record` writes fixtures with it.
///
/// Both bodies are read once: the request goes upstream with its body as the bytes the observer
/// gets, and the caller gets a response whose body is the bytes the observer got, so a streamed
/// body is neither lost nor read twice.
package struct RecordingFetcher: Fetcher {
    /// Called once per exchange, after the response body has been read (or the exchange failed).
    /// - Parameters:
    ///   - request: the request as sent upstream, its body in memory.
    ///   - requestBody: the request body bytes.
    ///   - result: the response with its body in memory, or what the upstream fetch threw.
    package typealias Observer =
        @Sendable (
            _ request: Request, _ requestBody: [UInt8], _ result: Result<Response, any Error>
        ) -> Void

    /// The fetcher that does the work.
    package let upstream: any Fetcher
    private let observer: Observer

    /// Wraps `upstream`, reporting each exchange to `observer`.
    package init(wrapping upstream: any Fetcher, observer: @escaping Observer) {
        self.upstream = upstream
        self.observer = observer
    }

    /// Sends `request` upstream and reports the exchange.
    ///
    /// When the request body itself cannot be read, its error is thrown and nothing is reported
    /// (nothing was sent). An error while sending or while reading the response body is reported
    /// and then thrown.
    package func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
        let requestBody = try await request.body.bytes()
        var sent = request
        sent.body = Body(bytes: requestBody)
        let response: Response
        do {
            var received = try await upstream.fetch(sent, timeout: timeout)
            received.body = Body(bytes: try await received.body.bytes())
            response = received
        } catch {
            observer(sent, requestBody, .failure(error))
            throw error
        }
        observer(sent, requestBody, .success(response))
        return response
    }
}
