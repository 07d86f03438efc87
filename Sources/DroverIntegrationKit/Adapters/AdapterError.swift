import Drover

/// A call refused by an adapter or its client before or after the upstream was reached: invalid
/// input, an answer the adapter cannot use, an adapter the registry does not know.
///
/// Each becomes an answer when a handler lets it escape (``HTTPResponseError``): 422 with the
/// issues for invalid input, 502 for an upstream answer the adapter cannot use (the upstream, not
/// the client, is at fault: RFC 9110 §15.6.3), 500 for the rest. The client sees only
/// ``message``; ``description`` is for logs.
public enum AdapterError: HTTPResponseError, CustomStringConvertible, Equatable {
    /// ``IntegrationAdapter/validate(_:)`` found problems; nothing was sent.
    case invalidInput(adapter: String, issues: [AdapterValidationIssue])
    /// The upstream answered a status the adapter does not handle.
    case unexpectedStatus(adapter: String, status: Int)
    /// The upstream's answer could not be read (`reason` says why, without the body).
    case unreadableResponse(adapter: String, reason: String)
    /// ``AdapterClient/call(_:_:)`` was given an adapter whose id the registry does not have.
    case unknownAdapter(String)

    /// 422, 502, 502 and 500.
    public var status: Int {
        switch self {
        case .invalidInput: 422
        case .unexpectedStatus, .unreadableResponse: 502
        case .unknownAdapter: 500
        }
    }

    /// The issues for invalid input (`email: must not be empty; quantity: must be positive`);
    /// otherwise the status's reason phrase, as for any error whose details are the worker's.
    public var message: String {
        switch self {
        case .invalidInput(_, let issues): issues.map(\.description).joined(separator: "; ")
        default: HTTPStatus.reasonPhrase(status).lowercased()
        }
    }

    /// What happened, naming the adapter, for logs.
    public var description: String {
        switch self {
        case .invalidInput(let adapter, let issues):
            "adapter \(adapter): invalid input (\(issues.map(\.description).joined(separator: "; ")))"
        case .unexpectedStatus(let adapter, let status):
            "adapter \(adapter): the upstream answered \(status), which the adapter does not handle"
        case .unreadableResponse(let adapter, let reason):
            "adapter \(adapter): the upstream's answer could not be read: \(reason)"
        case .unknownAdapter(let id):
            "no adapter \"\(id)\" is registered"
        }
    }
}

/// An ``AdapterRegistry`` that cannot be built.
public struct AdapterRegistryError: Error, CustomStringConvertible, Equatable {
    /// What is wrong.
    public let description: String
}
