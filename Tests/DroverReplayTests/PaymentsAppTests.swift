import Drover
import DroverTestSupport
import DroverTesting
import Foundation
import Synchronization
import Testing

@testable import DroverIntegrations

/// The payment route under what a fixture cannot stage: a duplicate that arrives while the first
/// request is still with Stripe.
@Suite struct PaymentsAppTests {
    /// Stripe on the far side of the network: counts the creations, holds the first one until
    /// told, answers with one payment intent id per call.
    final class Stripe: Fetcher {
        let calls = Mutex(0)
        let entered = Gate()
        let release = Gate()

        func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
            let call = calls.withLock { calls in
                calls += 1
                return calls
            }
            entered.open()
            await release.wait()
            return .json(["id": .string("pi_call_\(call)"), "status": "requires_payment_method"])
        }
    }

    @Test("a duplicate arriving while the first is with Stripe makes no second call; later repeats replay the first's answer")
    func concurrentDuplicate() async throws {
        let stripe = Stripe()
        let client = try await TestClient(
            worker: IntegrationsWorker(), config: ShopifyAppTests.configPath, secrets: ["STRIPE_API_KEY": "sk_test_x"], fetch: stripe)
        let headers: Headers = ["Idempotency-Key": "order-7", "Content-Type": "application/json"]
        let body: JSONValue = ["amount": 500, "currency": "eur"]
        let first = Task { await client.request("POST", "/api/payments", headers: headers, json: body) }
        await stripe.entered.wait()
        // The first holds the key's lock while Stripe has it. On the frozen clock the duplicate's
        // polls move time on until its 45 s wait runs out — before the lock's 60 s — so it answers
        // 409 in progress; on a real clock it would wait for the first answer and replay it.
        let duplicate = await client.request("POST", "/api/payments", headers: headers, json: body)
        #expect(duplicate.status == 409)
        stripe.release.open()
        let answered = await first.value
        #expect(answered.status == 201)
        #expect(try await answered.json()["id"] == "pi_call_1")
        #expect(stripe.calls.withLock { $0 } == 1)
        let replay = await client.request("POST", "/api/payments", headers: headers, json: body)
        #expect(replay.status == 201)
        #expect(replay.headers["idempotent-replayed"] == "true")
        #expect(stripe.calls.withLock { $0 } == 1)
        await client.close()
    }
}
