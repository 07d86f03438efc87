import Dispatch
import Drover
import Foundation
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The outbound `fetch` binding: HTTP(S) requests through FoundationNetworking's URLSession
/// (libcurl), with a per-call timeout and the Fetch standard's redirect handling.
///
/// One fetcher owns one URLSession (ephemeral: no cache, no cookie store, no credential store),
/// whose connections are reused across calls. The request's fields and body go out as given,
/// except the fields the transport owns (`Host`, `Content-Length`, `Transfer-Encoding`,
/// `Connection` and the other connection-specific fields, `Expect`). URLSession and libcurl add:
/// `Host`, `Accept: */*` unless set, `Accept-Encoding` (libcurl's supported codings; the body is
/// decoded), `User-Agent: <process> (unknown version) curl/<version>` unless set,
/// `Connection: keep-alive`, `Accept-Language` from the process locale when it has one, and, on a
/// POST with a body and no `Content-Type`, `Content-Type: application/x-www-form-urlencoded`
/// (swift-corelibs-foundation's `_HTTPURLProtocol`). Set `Content-Type` to avoid the last.
///
/// Redirects are followed by the fetcher, not by URLSession (its delegate refuses them), so that
/// each hop follows the Fetch standard §4.4 "HTTP-redirect fetch": at most 20 hops; 301 and 302
/// turn a POST into a GET, 303 turns anything but GET and HEAD into a GET, both dropping the body
/// and the fields that describe it; 307 and 308 keep method and body; `Authorization`, `Cookie`
/// and `Proxy-Authorization` are dropped when the redirect leaves the origin; the timeout covers
/// the whole chain.
///
/// Response fields: see ``URLSessionResponseHeaders`` for what URLSession on Linux merges.
/// Transport failures throw ``FetchError``; an HTTP error status is a response, not an error.
package final class URLSessionFetcher: Fetcher {
    /// The timeout of a call that gives none.
    package let defaultTimeout: Duration
    /// The redirect mode of ``fetch(_:timeout:)``.
    package let redirectMode: FetchRedirectMode
    /// The most redirects followed before failing (Fetch standard: 20).
    package let maximumRedirects: Int
    /// The longest response body accepted, in bytes; a longer one fails the call (kind `other`).
    package let maximumResponseBodyBytes: Int

    private let delegate: URLSessionFetcherDelegate
    /// Created at the first call: a worker that never fetches never initialises libcurl.
    private let lazySession = Mutex<URLSession?>(nil)

    /// The session, created on first use.
    private var session: URLSession {
        let delegate = self.delegate
        return lazySession.withLock { session in
            if let session { return session }
            let created = Self.makeSession(delegate: delegate)
            session = created
            return created
        }
    }

    /// Creates a fetcher with its own URLSession.
    /// - Parameters:
    ///   - defaultTimeout: the timeout of a call that gives none (30 s).
    ///   - redirectMode: what ``fetch(_:timeout:)`` does with redirects (`follow`).
    ///   - maximumRedirects: the most redirects followed (20, as the Fetch standard).
    ///   - maximumResponseBodyBytes: the longest response body accepted (256 MiB).
    package init(
        defaultTimeout: Duration = .seconds(30),
        redirectMode: FetchRedirectMode = .follow,
        maximumRedirects: Int = 20,
        maximumResponseBodyBytes: Int = 256 << 20
    ) {
        self.defaultTimeout = defaultTimeout
        self.redirectMode = redirectMode
        self.maximumRedirects = max(0, maximumRedirects)
        self.maximumResponseBodyBytes = max(0, maximumResponseBodyBytes)
        self.delegate = URLSessionFetcherDelegate()
    }

    private static func makeSession(delegate: URLSessionFetcherDelegate) -> URLSession {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.urlCredentialStorage = nil
        let queue = OperationQueue()
        queue.name = "drover.fetch"
        queue.maxConcurrentOperationCount = 1
        return URLSession(configuration: configuration, delegate: delegate, delegateQueue: queue)
    }

    deinit {
        lazySession.withLock { $0?.invalidateAndCancel() }
    }

    /// Sends `request` and returns the response with its body in memory, following redirects as
    /// ``redirectMode`` says.
    /// - Parameter timeout: the most time the whole exchange may take, redirects and body
    ///   included; `nil` for ``defaultTimeout``.
    /// - Throws: ``FetchError`` for transport failures; `CancellationError` when the calling task
    ///   is cancelled; the request body's own error when it cannot be read.
    package func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
        try await fetch(request, timeout: timeout, redirect: redirectMode)
    }

    /// Sends `request` with the redirect mode `redirect` (Fetch `RequestInit.redirect`).
    /// - Parameter timeout: the most time the whole exchange may take; `nil` for ``defaultTimeout``.
    /// - Throws: as ``fetch(_:timeout:)``; with `.error`, a redirect throws ``FetchError`` (`other`).
    package func fetch(_ request: Request, timeout: Duration?, redirect: FetchRedirectMode) async throws -> Response {
        let deadline = ContinuousClock.now.advanced(by: timeout ?? defaultTimeout)
        var hop = try OutboundRequest(request, body: try await request.body.bytes())
        var redirects = 0
        while true {
            let (response, body) = try await send(hop, deadline: deadline)
            let location = response.value(forHTTPHeaderField: "Location")
            guard redirect != .manual, let next = try hop.redirected(status: response.statusCode, location: location)
            else {
                return Response(
                    status: response.statusCode,
                    headers: URLSessionResponseHeaders.headers(of: response),
                    body: Body(bytes: body)
                )
            }
            if redirect == .error {
                throw FetchError(kind: .other, message: "\(hop.summary): redirect (\(response.statusCode)) with redirect mode \"error\"")
            }
            redirects += 1
            if redirects > maximumRedirects {
                throw FetchError(kind: .other, message: "\(hop.summary): more than \(maximumRedirects) redirects")
            }
            hop = next
        }
    }

    /// Sends one hop and collects its response, failing with `.timeout` at `deadline`.
    private func send(_ hop: OutboundRequest, deadline: ContinuousClock.Instant) async throws -> (HTTPURLResponse, [UInt8]) {
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else {
            throw FetchError(kind: .timeout, message: "\(hop.summary): timed out")
        }
        let seconds = Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18
        // URLSession's own timeout (whole seconds, reset by traffic) stays a backstop behind ours.
        let task = session.dataTask(with: hop.urlRequest(timeout: seconds.rounded(.up) + 1))
        let exchange = URLSessionExchange(maximumBodyBytes: maximumResponseBodyBytes)
        let taskIdentifier = task.taskIdentifier
        delegate.register(exchange, for: taskIdentifier)
        defer { delegate.unregister(taskIdentifier) }
        let summary = hop.summary
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    exchange.wait(with: continuation)
                    let timer = DispatchWorkItem {
                        exchange.finish(.failure(FetchError(kind: .timeout, message: "\(summary): timed out")))
                        task.cancel()
                    }
                    guard exchange.arm(timer) else { return }
                    DispatchQueue.global().asyncAfter(
                        deadline: .now() + .nanoseconds(Int(min(seconds * 1e9, Double(Int.max / 2)))),
                        execute: timer
                    )
                    task.resume()
                }
            } onCancel: {
                exchange.finish(.failure(CancellationError()))
                task.cancel()
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw FetchError(transportError: error, summary: summary)
        }
    }
}
