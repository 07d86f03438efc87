import Drover

/// One upstream system behind a standard face (the adapter pattern of the integration design):
/// the handlers that need Shopify, an ERP or a mail provider call its adapter through an
/// ``AdapterClient``, never the upstream directly, so every call gets the same policies, metrics,
/// trace forwarding and health reporting, and the upstream's details stay in one place.
///
/// A call goes through three steps the client runs in order:
///
/// 1. ``validate(_:)`` — refuse input that cannot make a valid call, before any traffic
///    (``AdapterError/invalidInput(adapter:issues:)``, 422);
/// 2. ``execute(_:context:)`` — make the outbound call(s) with ``AdapterContext/fetch(_:)``, which
///    wraps each one in the adapter's ``policies`` and forwards the trace;
/// 3. ``transform(_:)`` — turn the upstream's response into the adapter's ``Output``.
///
/// Keeping `transform` apart from `execute` lets a test feed it a recorded response with no
/// network at all. ``healthCheck(context:)`` answers how the upstream is doing; the client combines
/// it with the circuit breaker's state (``AdapterClient/health()``).
///
/// ```swift
/// struct OrderLookup: IntegrationAdapter {
///     let id = "erp"
///     let version = "2.1.0"
///     let baseURL: String
///
///     func validate(_ orderID: String) -> [AdapterValidationIssue] {
///         orderID.isEmpty ? [AdapterValidationIssue(field: "orderID", message: "must not be empty")] : []
///     }
///
///     func execute(_ orderID: String, context: AdapterContext) async throws -> Response {
///         try await context.fetch(try Request(url: "\(baseURL)/orders/\(orderID)"))
///     }
///
///     func transform(_ response: Response) async throws -> JSONValue {
///         guard response.status == 200 else { throw AdapterError.unexpectedStatus(adapter: id, status: response.status) }
///         return try await response.json()
///     }
/// }
/// ```
///
/// An adapter is a value with no state of its own between calls: everything that outlives a call
/// (breaker counts, bucket levels) lives in the KV namespace the client is given.
public protocol IntegrationAdapter<Input, Output>: Sendable {
    /// What a call takes.
    associatedtype Input: Sendable
    /// What a call gives back.
    associatedtype Output: Sendable

    /// The adapter's name: its metrics' `adapter_id` label, its health check's key, its circuit
    /// breaker's and rate limit's KV names. Letters, digits, `-`, `_` and `.`, 1 to 64 of them.
    var id: String { get }
    /// The adapter's version (semantic versioning), reported by the health check.
    var version: String { get }
    /// The policies around each outbound call; ``AdapterPolicies/init(timeout:retry:circuitBreaker:rateLimit:maxConcurrentCalls:healthCheckTimeout:)``'s
    /// defaults when not given.
    var policies: AdapterPolicies { get }

    /// What is wrong with `input`, or nothing; a non-empty answer stops the call before
    /// ``execute(_:context:)``. No problems by default.
    func validate(_ input: Input) -> [AdapterValidationIssue]

    /// Makes the call: builds the upstream request(s) and sends them with
    /// ``AdapterContext/fetch(_:)``.
    /// - Returns: the upstream's response, for ``transform(_:)``.
    func execute(_ input: Input, context: AdapterContext) async throws -> Response

    /// Turns the upstream's response into the output, or throws (an unexpected status, a body
    /// that does not decode).
    func transform(_ response: Response) async throws -> Output

    /// How the upstream is doing, checked with `context`, whose ``AdapterContext/fetch(_:)`` sends
    /// a probe with only the trace and the health check's timeout (no retry, no breaker, no rate
    /// limit: a probe must see the upstream as it is). By default the adapter reports healthy
    /// without a probe of its own, and its circuit breaker's state decides.
    func healthCheck(context: AdapterContext) async throws -> AdapterHealth
}

extension IntegrationAdapter {
    public var policies: AdapterPolicies { AdapterPolicies() }

    public func validate(_ input: Input) -> [AdapterValidationIssue] { [] }

    public func healthCheck(context: AdapterContext) async throws -> AdapterHealth {
        AdapterHealth(.healthy, message: "no probe of its own: its circuit breaker's state decides")
    }
}

/// One problem ``IntegrationAdapter/validate(_:)`` found in a call's input.
public struct AdapterValidationIssue: Sendable, Hashable, CustomStringConvertible {
    /// The part of the input at fault (`email`, `lineItems[2].quantity`).
    public var field: String
    /// What is wrong with it, safe to show to the caller.
    public var message: String

    /// The problem `message` with `field`.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    /// `field: message`.
    public var description: String { "\(field): \(message)" }
}
