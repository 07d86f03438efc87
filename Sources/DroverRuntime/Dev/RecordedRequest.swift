import Drover
import Foundation

/// One incoming request as `drover dev --record` captured it, every body in memory: what the
/// fixture writer (in DroverReplay) turns into a replayable fixture (Docs/fixtures.md, "Recording").
///
/// It holds secret values (``secretValues``) so the writer can redact them; it is never logged
/// or written as is.
package struct RecordedRequest: Sendable {
    /// One outbound `fetch` made while serving the request (or its `waitUntil` work).
    package struct Exchange: Sendable {
        /// The request as sent upstream (``Request/url`` is the absolute URL).
        package var request: Request
        /// Its body bytes.
        package var requestBody: [UInt8]
        /// The response, its body in memory, or what the fetch threw.
        package var result: Result<Response, any Error>

        /// Creates an exchange.
        package init(request: Request, requestBody: [UInt8], result: Result<Response, any Error>) {
            self.request = request
            self.requestBody = requestBody
            self.result = result
        }
    }

    /// The arrival order within this `drover dev` session, from 1.
    package var sequence: Int
    /// When the request arrived, on the runtime's clock (the fixture's `now`).
    package var time: Date
    /// The incoming request (its ``Request/target`` is the path and query).
    package var request: Request
    /// The incoming request's body bytes.
    package var requestBody: [UInt8]
    /// The worker's response as sent to the client.
    package var response: Response
    /// The response body bytes, exactly as sent.
    package var responseBody: [UInt8]
    /// The outbound calls, in the order they completed.
    package var exchanges: [Exchange]
    /// The names of the secrets the worker read, in first-read order.
    package var secretsRead: [String]
    /// Every secret binding's value by name, for redaction only.
    package var secretValues: [String: String]
    /// The config file being served.
    package var configPath: String
    /// The config environment (`--env`), if any.
    package var environment: String?

    /// Creates a recorded request.
    package init(
        sequence: Int,
        time: Date,
        request: Request,
        requestBody: [UInt8],
        response: Response,
        responseBody: [UInt8],
        exchanges: [Exchange],
        secretsRead: [String],
        secretValues: [String: String],
        configPath: String,
        environment: String?
    ) {
        self.sequence = sequence
        self.time = time
        self.request = request
        self.requestBody = requestBody
        self.response = response
        self.responseBody = responseBody
        self.exchanges = exchanges
        self.secretsRead = secretsRead
        self.secretValues = secretValues
        self.configPath = configPath
        self.environment = environment
    }
}
