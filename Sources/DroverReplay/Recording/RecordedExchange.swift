import Drover

/// One outbound `fetch` made while serving a recorded request: the call and what answered it.
package struct RecordedExchange: Sendable {
    /// What answered the call.
    package enum Outcome: Sendable {
        /// An HTTP response.
        case response(RecordedMessage)
        /// A transport failure (recorded as `"error": "timeout"` for timeouts, `"connection"` otherwise).
        case failure(FetchError.Kind)
    }

    /// The call (``RecordedMessage/target`` is the absolute URL).
    package var request: RecordedMessage
    /// What answered it.
    package var outcome: Outcome

    /// Creates an exchange.
    package init(request: RecordedMessage, outcome: Outcome) {
        self.request = request
        self.outcome = outcome
    }
}
