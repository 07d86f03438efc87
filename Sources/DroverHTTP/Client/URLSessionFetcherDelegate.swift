import Drover
import Foundation
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The one delegate of a ``URLSessionFetcher``'s session: it routes each task's callbacks to its
/// ``URLSessionExchange`` and refuses every redirect, so that the fetcher follows them itself
/// (Fetch standard §4.4 "HTTP-redirect fetch") and sees each hop.
final class URLSessionFetcherDelegate: NSObject, URLSessionDataDelegate, Sendable {
    private let exchanges = Mutex<[Int: URLSessionExchange]>([:])

    /// Routes the callbacks of the task numbered `taskIdentifier` to `exchange`.
    func register(_ exchange: URLSessionExchange, for taskIdentifier: Int) {
        exchanges.withLock { $0[taskIdentifier] = exchange }
    }

    /// Forgets the task numbered `taskIdentifier`.
    func unregister(_ taskIdentifier: Int) {
        _ = exchanges.withLock { $0.removeValue(forKey: taskIdentifier) }
    }

    private func exchange(for task: URLSessionTask) -> URLSessionExchange? {
        exchanges.withLock { $0[task.taskIdentifier] }
    }

    func urlSession(
        _ session: URLSession,
        dataTask: URLSessionDataTask,
        didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let exchange = exchange(for: dataTask) else { return }
        if !exchange.append(data) { dataTask.cancel() }
    }

    func urlSession(
        _ session: URLSession,
        task: URLSessionTask,
        willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest,
        completionHandler: @escaping (URLRequest?) -> Void
    ) {
        // `nil` makes the 3xx response the task's final response; the fetcher decides what follows.
        completionHandler(nil)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let exchange = exchange(for: task) else { return }
        if let error {
            exchange.finish(.failure(error))
        } else if let response = task.response as? HTTPURLResponse {
            exchange.complete(response: response)
        } else {
            exchange.finish(.failure(FetchError(kind: .other, message: "no HTTP response")))
        }
    }
}
