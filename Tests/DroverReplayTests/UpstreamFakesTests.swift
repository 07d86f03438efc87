import Drover
import DroverExamples
import DroverIntegrationKit
import DroverTesting
import Foundation
import Synchronization
import Testing

/// The `upstream-fakes` worker on its own config (`Examples/upstream-fakes/`), on a frozen clock.
@Suite struct UpstreamFakesTests {
    static let config = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Examples/upstream-fakes/wrangler-like.toml").path

    static func client() async throws -> TestClient {
        try await TestClient(worker: UpstreamFakesWorker(), config: config)
    }

    static let shop = "https://drover-demo.myshopify.com"

    func shopify(_ client: TestClient, _ path: String, token: String = "shpat_local_example", method: String = "GET", body: String? = nil) async throws -> Response {
        var request = try Request(url: Self.shop + path, method: method, headers: ["X-Shopify-Access-Token": token])
        if let body { request.body = Body(text: body) }
        return await client.send(request)
    }

    @Test("Shopify: orders come in pages linked by Link rel=next; a wrong token is 401")
    func shopifyOrders() async throws {
        let client = try await Self.client()
        var path: String? = "/admin/api/2024-01/orders.json?status=any&limit=3"
        var ids: [Int64] = []
        var pages = 0
        while let next = path {
            let response = try await shopify(client, next)
            #expect(response.status == 200)
            pages += 1
            ids += (try await response.json()["orders"]?.arrayValue ?? []).compactMap { $0["id"]?.integerValue }
            path = response.headers["link"].flatMap { link in
                link.firstMatch(of: /<https:\/\/drover-demo\.myshopify\.com(.*)>; rel="next"/).map { String($0.output.1) }
            }
        }
        #expect(pages == 3)
        #expect(ids == (0..<7).map { 450_789_469 + Int64($0) })
        #expect(try await shopify(client, "/admin/api/2024-01/orders.json", token: "wrong").status == 401)
        // A page_info the fake never gave starts over instead of failing.
        for info in ["MTAw", "LTU", "OTIyMzM3MjAzNjg1NDc3NTgwNw", "not base64!"] {
            let page = try await shopify(client, "/admin/api/2024-01/orders.json?limit=250&page_info=\(info)")
            #expect(page.status == 200, "\(info)")
            #expect(try await page.json()["orders"]?.arrayValue?.count == 7, "\(info)")
        }
    }

    @Test("Shopify: the call limit fills to 40, the 41st call is 429 with Retry-After, and it leaks 2 a second")
    func shopifyCallLimit() async throws {
        let client = try await Self.client()
        for call in 1...40 {
            let response = try await shopify(client, "/admin/api/2024-01/orders.json?limit=1")
            #expect(response.status == 200)
            #expect(response.headers["x-shopify-shop-api-call-limit"] == "\(call)/40")
        }
        let over = try await shopify(client, "/admin/api/2024-01/orders.json?limit=1")
        #expect(over.status == 429)
        #expect(over.headers["retry-after"] == "2.0")
        client.clock.advance(by: 0.5)
        #expect(try await shopify(client, "/admin/api/2024-01/orders.json?limit=1").status == 200)
        let product = try await shopify(client, "/admin/api/2024-01/products/632910392.json", method: "PUT", body: #"{"product": {"title": "New"}}"#)
        #expect(product.status == 429)
        client.clock.advance(by: 1)
        let updated = try await shopify(client, "/admin/api/2024-01/products/632910392.json", method: "PUT", body: #"{"product": {"title": "New"}}"#)
        #expect(updated.status == 200)
        #expect(try await updated.json()["product"]?["id"] == 632_910_392)
        #expect(try await updated.json()["product"]?["title"] == "New")
    }

    @Test("failure switches: the next N calls to a fake fail as asked, then it answers again; every call is listed")
    func failureSwitches() async throws {
        let client = try await Self.client()
        let asked = await client.request("POST", "/__fakes/fail", json: ["fake": "shopify", "mode": "503", "count": 2])
        #expect(asked.status == 200)
        let statuses = try await (0..<3).asyncMap { _ in try await shopify(client, "/admin/api/2024-01/orders.json").status }
        #expect(statuses == [503, 503, 200])
        _ = await client.request("POST", "/__fakes/fail", json: ["fake": "email", "mode": "timeout"])
        let before = client.clock.now()
        let late = await client.send(try Request(url: "https://api.email.example/emails", method: "POST", headers: ["Authorization": "Bearer re_local_example"], body: Body(text: #"{"to": "a@example.com"}"#)))
        #expect(late.status == 504)
        #expect(client.clock.now().timeIntervalSince(before) == 60)
        let calls = try await client.request("GET", "/__fakes/calls").json()["calls"]?.arrayValue ?? []
        #expect(calls.map { $0["status"]?.integerValue } == [503, 503, 200, 504])
        #expect(calls.first?["fake"] == "shopify")
        #expect(calls.last?["url"] == "https://api.email.example/emails")
        #expect(await client.request("POST", "/__fakes/fail", json: ["fake": "nobody", "mode": "503"]).status == 400)
        #expect(await client.request("POST", "/__fakes/fail", json: ["fake": "email", "mode": "418"]).status == 400)
        #expect(try await client.request("DELETE", "/__fakes/calls").json()["cleared"] == 4)
    }

    @Test("every failure mode on every fake: 429 with Retry-After, 401, 503 with Retry-After, one call each, then the fake answers again")
    func everyMode() async throws {
        let client = try await Self.client()
        let calls: [String: () async throws -> Response] = [
            "shopify": { try await shopify(client, "/admin/api/2024-01/orders.json") },
            "clerk": { await client.send(try Request(url: "https://clerk.example.test/.well-known/jwks.json")) },
            "email": {
                await client.send(try Request(
                    url: "https://email.example.test/v1/send", method: "POST", headers: ["Authorization": "Bearer re_local_example"],
                    body: Body(text: #"{"to": "a@example.com"}"#)))
            },
            "payments": {
                await client.send(try Request(
                    url: "https://stripe.example.test/v1/payment_intents", method: "POST", headers: ["Authorization": "Bearer sk_test_local_example"],
                    body: Body(text: "amount=100&currency=usd")))
            },
            "oauth": { await client.send(try Request(url: "https://auth.example.test/oauth/token", method: "POST", body: Body(text: "grant_type=x"))) },
        ]
        for (fake, call) in calls.sorted(by: { $0.key < $1.key }) {
            let healthy = try await call().status
            for (mode, status, retryAfter) in [("429", 429, "2"), ("401", 401, nil), ("503", 503, "1")] as [(String, Int, String?)] {
                #expect(await client.request("POST", "/__fakes/fail", json: ["fake": .string(fake), "mode": .string(mode)]).status == 200)
                let failed = try await call()
                #expect(failed.status == status, "\(fake) \(mode)")
                #expect(failed.headers["retry-after"] == retryAfter, "\(fake) \(mode)")
                #expect(try await call().status == healthy, "\(fake) after \(mode)")
            }
        }
    }

    @Test("email: a known key sends (recorded with its recipient), a repeated Idempotency-Key answers the first id, a wrong key is 401")
    func email() async throws {
        let client = try await Self.client()
        func send(key: String, idempotency: String?, body: String = #"{"to": "ada@example.com", "subject": "Welcome"}"#) async throws -> Response {
            var headers: Headers = ["Authorization": "Bearer \(key)", "Content-Type": "application/json"]
            if let idempotency { headers.set("Idempotency-Key", idempotency) }
            return await client.send(try Request(url: "https://api.email.example/emails", method: "POST", headers: headers, body: Body(text: body)))
        }
        let first = try await send(key: "re_local_example", idempotency: "msg-1")
        let again = try await send(key: "re_local_example", idempotency: "msg-1")
        #expect(first.status == 200)
        #expect(try await first.json()["id"] == (try await again.json()["id"]))
        #expect(try await send(key: "re_old", idempotency: nil).status == 401)
        #expect(try await send(key: "re_local_example", idempotency: nil, body: #"{"subject": "no one"}"#).status == 422)
        let calls = try await client.request("GET", "/__fakes/calls").json()["calls"]?.arrayValue ?? []
        #expect(calls.first?["detail"]?["to"] == "ada@example.com")
        #expect(calls.first?["detail"]?["subject"] == "Welcome")
    }

    @Test("payments: an intent per Idempotency-Key, replayed for the same fields, refused for others; a signed webhook verifies")
    func payments() async throws {
        let client = try await Self.client()
        func create(_ fields: String, key: String?, apiKey: String = "sk_test_local_example") async throws -> Response {
            var headers: Headers = ["Authorization": "Bearer \(apiKey)", "Content-Type": "application/x-www-form-urlencoded"]
            if let key { headers.set("Idempotency-Key", key) }
            return await client.send(try Request(url: "https://api.stripe.example/v1/payment_intents", method: "POST", headers: headers, body: Body(text: fields)))
        }
        let first = try await create("amount=2000&currency=usd", key: "order-1")
        #expect(first.status == 200)
        let intent = try await first.json()
        #expect(intent["amount"] == 2000)
        #expect(intent["id"]?.stringValue?.hasPrefix("pi_") == true)
        let replay = try await create("amount=2000&currency=usd", key: "order-1")
        #expect(try await replay.json()["id"] == intent["id"])
        #expect(replay.headers["idempotent-replayed"] == "true")
        let conflict = try await create("amount=3000&currency=usd", key: "order-1")
        #expect(conflict.status == 400)
        #expect(try await conflict.json()["error"]?["type"] == "idempotency_error")
        #expect(try await create("amount=2000&currency=usd", key: nil, apiKey: "sk_wrong").status == 401)

        let made = try await client.request("POST", "/__fakes/stripe/webhook", json: ["type": "payment_intent.succeeded"]).json()
        let body = try #require(made["body"]?.stringValue)
        let signature = try #require(made["headers"]?["Stripe-Signature"]?.stringValue)
        let verifier = try StripeWebhookVerifier(secret: "whsec_local_example", clock: client.clock)
        try verifier.verify(body: Array(body.utf8), headers: ["Stripe-Signature": signature])
        #expect(try JSONParser.parse(body)["type"] == "payment_intent.succeeded")
    }

    @Test("Clerk: a minted session token verifies against the fake's JWKS as the app checks it; an expired one is refused; a webhook is Svix-signed")
    func clerk() async throws {
        let client = try await Self.client()
        /// The app's outbound fetch, answered by the fake.
        struct ToFake: Fetcher {
            let client: TestClient
            func fetch(_ request: Request, timeout: Duration?) async throws -> Response { await client.send(request) }
        }
        let minted = try await client.request("POST", "/__fakes/clerk/token", json: ["sub": "user_42", "sid": "sess_1"]).json()
        let token = try #require(minted["token"]?.stringValue)
        let keys = JWKSCache(
            url: "https://clerk.example.test/.well-known/jwks.json", kv: try client.env.kv("FAKES"), fetcher: ToFake(client: client),
            clock: client.clock)
        let verifier = JWTVerifier(
            configuration: .init(issuer: "https://clerk.example.test", authorizedParties: ["http://localhost:8787"]), keys: keys, clock: client.clock)
        let verified = try await verifier.verify(token)
        #expect(verified.claims.subject == "user_42")
        #expect(verified.claims["sid"] == "sess_1")
        #expect(verified.token.header.keyID == "ins_fake_clerk_1")

        let expired = try await client.request("POST", "/__fakes/clerk/token", json: ["sub": "user_42", "lifetime": -60]).json()
        await #expect(throws: JWTError.self) { _ = try await verifier.verify(try #require(expired["token"]?.stringValue)) }
        #expect(await client.request("POST", "/__fakes/clerk/token", json: [:]).status == 400)
        // Numbers at the ends of 64 bits are clamped, not overflowed.
        for extreme in [Int64.max, Int64.min] {
            let odd = await client.request("POST", "/__fakes/clerk/token", json: ["sub": "u", "lifetime": .integer(extreme), "nbfOffset": .integer(extreme)])
            #expect(odd.status == 200)
        }

        // The key is kept: a second client on the same state would sign with it; here, the JWKS is stable.
        let first = try await client.send(try Request(url: "https://clerk.example.test/.well-known/jwks.json")).json()
        let second = try await client.send(try Request(url: "https://clerk.example.test/.well-known/jwks.json")).json()
        #expect(first == second)

        let webhook = try await client.request("POST", "/__fakes/clerk/webhook", json: ["type": "user.updated"]).json()
        let body = try #require(webhook["body"]?.stringValue)
        var headers = Headers()
        for name in ["svix-id", "svix-timestamp", "svix-signature"] { headers.set(name, webhook["headers"]?[name]?.stringValue ?? "") }
        try SvixWebhookVerifier(secret: "whsec_bG9jYWwtZXhhbXBsZS1rZXk=", clock: client.clock).verify(body: Array(body.utf8), headers: headers)
        #expect(try JSONParser.parse(body)["type"] == "user.updated")
    }

    @Test("OAuth: authorize redirects back with a code and the state; the code is exchanged once, for its redirect URI only")
    func oauth() async throws {
        let client = try await Self.client()
        let authorize = await client.send(try Request(
            url: "https://auth.example/oauth/authorize?response_type=code&client_id=app&redirect_uri=http%3A%2F%2F127.0.0.1%3A8787%2Fauth%2Fcallback&state=xyz"))
        #expect(authorize.status == 302)
        let location = try #require(authorize.headers["location"])
        #expect(location.hasPrefix("http://127.0.0.1:8787/auth/callback?code="))
        #expect(location.hasSuffix("&state=xyz"))
        let code = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "code" }?.value)
        func exchange(_ redirect: String) async throws -> Response {
            await client.send(try Request(
                url: "https://auth.example/oauth/token", method: "POST", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: Body(text: "grant_type=authorization_code&code=\(code)&client_id=app&redirect_uri=\(redirect)")))
        }
        #expect(try await exchange("http%3A%2F%2Fevil.example%2F").status == 400)
        let token = try await exchange("http%3A%2F%2F127.0.0.1%3A8787%2Fauth%2Fcallback")
        #expect(token.status == 200)
        #expect(try await token.json()["token_type"] == "Bearer")
        #expect(try await exchange("http%3A%2F%2F127.0.0.1%3A8787%2Fauth%2Fcallback").status == 400)
    }

    @Test("Shopify: updated_at_min keeps the orders updated since, across the pages it links")
    func shopifyOrdersSince() async throws {
        let client = try await Self.client()
        var path: String? = "/admin/api/2024-01/orders.json?status=any&limit=2&updated_at_min=2026-01-04T00:00:00Z"
        var updated: [String] = []
        while let next = path {
            let response = try await shopify(client, next)
            #expect(response.status == 200)
            updated += (try await response.json()["orders"]?.arrayValue ?? []).compactMap { $0["updated_at"]?.stringValue }
            path = response.headers["link"].flatMap { link in
                link.firstMatch(of: /<https:\/\/drover-demo\.myshopify\.com(.*)>; rel="next"/).map { String($0.output.1) }
            }
        }
        #expect(updated == ["2026-01-04T10:00:00-05:00", "2026-01-05T10:00:00-05:00", "2026-01-06T10:00:00-05:00", "2026-01-07T10:00:00-05:00"])
        let none = try await shopify(client, "/admin/api/2024-01/orders.json?updated_at_min=2026-12-01T00:00:00Z")
        #expect(try await none.json()["orders"] == [])
        #expect(none.headers["link"] == nil)
    }

    /// The app's side of a delivery: records what reached it, answers 200.
    final class App: Fetcher {
        let received = Mutex<[Request]>([])

        func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
            var copy = request
            copy.body = Body(bytes: try await request.body.bytes())
            received.withLock { $0.append(copy) }
            return .json(["ok": true])
        }
    }

    @Test("a webhook maker delivers what it signed when asked, to this machine only")
    func deliverTo() async throws {
        let app = App()
        let client = try await TestClient(worker: UpstreamFakesWorker(), config: Self.config, fetch: app)
        let made = await client.request(
            "POST", "/__fakes/clerk/webhook", json: ["type": "user.created", "deliverTo": "http://localhost:8787/webhooks/clerk"])
        #expect(made.status == 200)
        let answer = try await made.json()
        #expect(answer["delivered"] == ["status": 200, "body": "{\"ok\":true}"])
        let delivered = try #require(app.received.withLock { $0.first })
        #expect(delivered.url == "http://localhost:8787/webhooks/clerk")
        #expect(delivered.headers["svix-id"] == answer["headers"]?["svix-id"]?.stringValue)
        #expect(delivered.headers["svix-signature"] == answer["headers"]?["svix-signature"]?.stringValue)
        #expect(try await delivered.body.text() == answer["body"]?.stringValue)
        for target in ["https://localhost/x", "http://example.com/webhooks", "http://localhost.example.com/", "http://user@localhost/", "http://[::2]/"] {
            let refused = await client.request("POST", "/__fakes/stripe/webhook", json: ["deliverTo": .string(target)])
            #expect(refused.status == 400, "\(target)")
        }
        #expect(app.received.withLock { $0.count } == 1)
        await client.close()
    }
}

extension Range where Bound == Int {
    /// `map` with an async transform, in order.
    func asyncMap<T>(_ transform: (Int) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
