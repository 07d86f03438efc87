import Drover
import DroverHTTP
import Foundation
import Synchronization

/// Serves worker requests for `drover dev --record DIR` and captures each one: the request and
/// response with their bodies, every outbound `fetch` (through a ``RecordingFetcher``), and the
/// secrets read (through ``Env``'s secret observer), in a per-request copy of the worker's `Env`.
///
/// The client gets the complete response at once; the capture goes to the sink after the
/// request's `waitUntil` work has finished (replay awaits that work before a step ends, so its
/// outbound calls belong in the fixture). Queue deliveries and cron runs are not captured.
package final class RequestRecorder: Sendable {
    /// Receives each captured request; writes its fixture. Called once per request, possibly
    /// concurrently for different requests.
    package typealias Sink = @Sendable (RecordedRequest) async -> Void

    private let sink: Sink
    private let sequence = Atomic<Int>(0)
    private let pending = BackgroundWork()

    /// A recorder handing every captured request to `sink`.
    package init(sink: @escaping Sink) {
        self.sink = sink
    }

    /// Answers `request` with `runtime`'s worker and schedules its capture.
    ///
    /// A request body that cannot be read is answered 400 and not recorded. A response body that
    /// fails while being read is passed on failing the same way (as it would without recording)
    /// and not recorded.
    package func serve(_ request: Request, runtime: WorkerRuntime) async -> Response {
        let host = runtime.host
        let time = host.env.clock.now()
        let number = sequence.add(1, ordering: .relaxed).newValue
        let requestBody: [UInt8]
        do {
            requestBody = try await request.body.bytes()
        } catch {
            host.logger.error("--record: could not read the body of \(request.method) \(request.target), not recorded: \(error)")
            return Response.error("could not read the request body", status: 400)
        }
        var buffered = request
        buffered.body = Body(bytes: requestBody)

        let capture = Capture()
        var env = host.env
        env.fetch = RecordingFetcher(wrapping: host.env.fetch) { request, body, result in
            capture.add(RecordedRequest.Exchange(request: request, requestBody: body, result: result))
        }
        let previousObserver = env.onSecretRead
        env.onSecretRead = { name in
            previousObserver?(name)
            capture.read(name)
        }

        let (response, background) = await host.serve(buffered, env: env)
        let responseBody: [UInt8]
        do {
            responseBody = try await response.body.bytes()
        } catch {
            host.logger.error("--record: the response body of \(request.method) \(request.target) failed, not recorded: \(error)")
            var failing = response
            failing.body = Body(stream: AsyncThrowingStream { $0.finish(throwing: error) })
            return failing
        }
        var answered = response
        answered.body = Body(bytes: responseBody)

        let secretValues = Self.secretValues(of: host.env)
        let config = runtime.config
        let sink = self.sink
        let (incoming, outgoing) = (buffered, answered)
        pending.run {
            await background?.value
            let (exchanges, secretsRead) = capture.snapshot
            await sink(
                RecordedRequest(
                    sequence: number,
                    time: time,
                    request: incoming,
                    requestBody: requestBody,
                    response: outgoing,
                    responseBody: responseBody,
                    exchanges: exchanges,
                    secretsRead: secretsRead,
                    secretValues: secretValues,
                    configPath: config.configPath,
                    environment: config.environment
                )
            )
        }
        return answered
    }

    /// Waits until every capture scheduled so far, and any scheduled meanwhile, has reached the sink.
    package func finish() async {
        await pending.waitForAll()
    }

    private static func secretValues(of env: Env) -> [String: String] {
        var values: [String: String] = [:]
        for name in env.bindingNames {
            if case .secret(let value) = env.binding(name) { values[name] = value }
        }
        return values
    }

    /// What one request did, gathered from the fetcher and secret observer as it happens.
    private final class Capture: Sendable {
        private struct State {
            var exchanges: [RecordedRequest.Exchange] = []
            var secretsRead: [String] = []
        }

        private let state = Mutex(State())

        func add(_ exchange: RecordedRequest.Exchange) {
            state.withLock { $0.exchanges.append(exchange) }
        }

        func read(_ name: String) {
            state.withLock { state in
                if !state.secretsRead.contains(name) { state.secretsRead.append(name) }
            }
        }

        var snapshot: ([RecordedRequest.Exchange], [String]) {
            state.withLock { ($0.exchanges, $0.secretsRead) }
        }
    }
}
