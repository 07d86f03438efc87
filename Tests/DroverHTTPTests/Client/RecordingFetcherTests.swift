import Drover
import DroverTestSupport
import Synchronization
import Testing

@testable import DroverHTTP

/// ``RecordingFetcher`` over a real ``URLSessionFetcher`` and ``FetchTestServer``.
@Suite("RecordingFetcher")
struct RecordingFetcherTests {
    /// What the observer saw.
    final class Exchanges: Sendable {
        struct Exchange: Sendable {
            var request: Request
            var requestBody: [UInt8]
            var result: Result<Response, any Error>
        }

        private let recorded = Mutex<[Exchange]>([])
        var all: [Exchange] { recorded.withLock { $0 } }

        func record(_ request: Request, _ body: [UInt8], _ result: Result<Response, any Error>) {
            recorded.withLock { $0.append(Exchange(request: request, requestBody: body, result: result)) }
        }
    }

    @Test func observerGetsBothBodiesAndTheCallerStillDoes() async throws {
        let server = try FetchTestServer { request in
            .text("echo: " + request.text, status: 202, headers: [("X-Upstream", "1")])
        }
        defer { server.stop() }
        let exchanges = Exchanges()
        let fetcher = RecordingFetcher(wrapping: URLSessionFetcher(defaultTimeout: .testHangGuard)) { exchanges.record($0, $1, $2) }
        let body = Body.writer { write in
            write(Array("streamed ".utf8))
            write(Array("once".utf8))
        }
        let response = try await fetcher.fetch("\(server.origin)/record?x=1", method: "POST", body: body)
        #expect(response.status == 202)
        #expect(try await response.text() == "echo: streamed once")
        #expect(try await response.text() == "echo: streamed once")
        #expect(server.requests.first?.text == "streamed once")

        let exchange = try #require(exchanges.all.first)
        #expect(exchanges.all.count == 1)
        #expect(exchange.requestBody == Array("streamed once".utf8))
        #expect(exchange.request.url == "\(server.origin)/record?x=1")
        #expect(try await exchange.request.text() == "streamed once")
        let recorded = try exchange.result.get()
        #expect(recorded.status == 202)
        #expect(recorded.headers["x-upstream"] == "1")
        #expect(recorded.body.bufferedBytes == Array("echo: streamed once".utf8))
    }

    @Test func failuresAreObservedAndRethrown() async throws {
        let server = try FetchTestServer { _ in .hang }
        defer { server.stop() }
        let exchanges = Exchanges()
        let fetcher = RecordingFetcher(wrapping: URLSessionFetcher(defaultTimeout: .testHangGuard)) { exchanges.record($0, $1, $2) }
        let request = try Request(url: "\(server.origin)/slow", method: "PUT", body: Body(text: "b"))
        await #expect(throws: FetchError.self) { try await fetcher.fetch(request, timeout: .milliseconds(300)) }
        let exchange = try #require(exchanges.all.first)
        #expect(exchange.requestBody == Array("b".utf8))
        guard case .failure(let error) = exchange.result else {
            Issue.record("expected a failure")
            return
        }
        #expect((error as? FetchError)?.kind == .timeout)
    }
}
