import Drover
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension FetchError {
    /// The ``FetchError`` for a transport failure of URLSession.
    ///
    /// The message names the method and the URL without its query and user info, and the URLError
    /// code; never a request field or body, which may hold secrets.
    /// - Parameters:
    ///   - error: what the task failed with.
    ///   - summary: the method and redacted URL of the hop (``OutboundRequest/summary``).
    package init(transportError error: any Error, summary: String) {
        if let fetchError = error as? FetchError {
            self = fetchError
            return
        }
        guard let urlError = error as? URLError else {
            self.init(kind: .other, message: "\(summary): \(type(of: error))")
            return
        }
        let kind: Kind
        let what: String
        switch urlError.code {
        case .timedOut:
            (kind, what) = (.timeout, "timed out")
        case .cannotFindHost, .dnsLookupFailed:
            (kind, what) = (.dns, "host name could not be resolved")
        case .cannotConnectToHost:
            (kind, what) = (.connection, "connection refused")
        case .networkConnectionLost:
            (kind, what) = (.connection, "connection reset or closed")
        case .notConnectedToInternet:
            (kind, what) = (.connection, "network unreachable")
        case .badServerResponse, .zeroByteResource, .cannotParseResponse:
            // libcurl's "empty reply from server" and malformed answers: the peer closed early or
            // did not speak HTTP.
            (kind, what) = (.connection, "closed without a valid HTTP response")
        case .badURL, .unsupportedURL:
            (kind, what) = (.invalidURL, "invalid URL")
        case .httpTooManyRedirects:
            (kind, what) = (.other, "too many redirects")
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
            .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected,
            .clientCertificateRequired:
            (kind, what) = (.other, "TLS failure")
        default:
            (kind, what) = (.other, "transport error")
        }
        self.init(kind: kind, message: "\(summary): \(what) (URLError \(urlError.code.rawValue))")
    }
}
