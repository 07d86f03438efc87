import Drover
import Foundation
import Testing

@testable import DroverIntegrationKit

@Suite("Error classifier")
struct ErrorClassifierTests {
    typealias Verdict = ErrorClassifier.Verdict

    @Test(
        "statuses: 1xx–3xx succeed, 408, 429 and 5xx are retryable, other 4xx are not",
        arguments: [
            (200, Verdict.success), (204, .success), (301, .success), (304, .success),
            (400, .nonRetryable), (401, .nonRetryable), (403, .nonRetryable), (404, .nonRetryable),
            (409, .nonRetryable), (422, .nonRetryable), (408, .retryable), (429, .retryable),
            (500, .retryable), (502, .retryable), (503, .retryable), (504, .retryable), (599, .retryable),
            (600, .nonRetryable), (99, .nonRetryable),
        ])
    func statuses(status: Int, verdict: Verdict) {
        #expect(ErrorClassifier.standard.classify(Response("x", status: status)) == verdict)
        #expect(ErrorClassifier.standardVerdict(forStatus: status) == verdict)
    }

    @Test(
        "transport errors: timeouts, refused connections and DNS failures are retryable",
        arguments: [
            (FetchError.Kind.timeout, Verdict.retryable), (.connection, .retryable), (.dns, .retryable),
            (.invalidURL, .nonRetryable), (.other, .nonRetryable),
        ])
    func fetchErrors(kind: FetchError.Kind, verdict: Verdict) {
        #expect(ErrorClassifier.standard.classify(FetchError(kind: kind, message: "x")) == verdict)
    }

    @Test("an open circuit and a full bulkhead are not retryable; a policy timeout is")
    func resilienceErrors() {
        let classifier = ErrorClassifier.standard
        #expect(classifier.classify(ResilienceError.circuitOpen("erp", retryAfter: .seconds(3))) == .nonRetryable)
        #expect(classifier.classify(ResilienceError.bulkheadFull("erp", maxConcurrentCalls: 2, waited: .zero)) == .nonRetryable)
        #expect(classifier.classify(ResilienceError.timedOut("erp", after: .seconds(5))) == .retryable)
    }

    @Test("cancellation and unknown errors are not retryable; errors with a status are judged by it")
    func otherErrors() {
        struct DecodingTrouble: Error {}
        let classifier = ErrorClassifier.standard
        #expect(classifier.classify(CancellationError()) == .nonRetryable)
        #expect(classifier.classify(DecodingTrouble()) == .nonRetryable)
        #expect(classifier.classify(HTTPError(503)) == .retryable)
        #expect(classifier.classify(HTTPError(429)) == .retryable)
        #expect(classifier.classify(HTTPError(404)) == .nonRetryable)
        // A thrown error is a failure even when its status says otherwise.
        #expect(classifier.classify(HTTPError(200)) == .nonRetryable)
    }

    @Test("a custom rule decides first, and leaves the rest to the standard rules")
    func customRule() {
        let classifier = ErrorClassifier.standard.adding { outcome in
            switch outcome {
            case .response(let response) where response.status == 409: .retryable
            case .error(let error as FetchError) where error.kind == .dns: .nonRetryable
            default: nil
            }
        }
        #expect(classifier.classify(Response("x", status: 409)) == .retryable)
        #expect(classifier.classify(FetchError(kind: .dns, message: "x")) == .nonRetryable)
        #expect(classifier.classify(Response("x", status: 503)) == .retryable)
        #expect(classifier.classify(FetchError(kind: .connection, message: "x")) == .retryable)
        #expect(ErrorClassifier.standard.classify(Response("x", status: 409)) == .nonRetryable)
    }

    @Test("the newest rule wins over older ones")
    func ruleOrder() {
        let first = ErrorClassifier { outcome in
            if case .response(let response) = outcome, response.status == 418 { return .retryable }
            return nil
        }
        let second = first.adding { outcome in
            if case .response(let response) = outcome, response.status == 418 { return .success }
            return nil
        }
        #expect(first.classify(Response("x", status: 418)) == .retryable)
        #expect(second.classify(Response("x", status: 418)) == .success)
    }
}
