import Drover
import DroverTestSupport
import DroverTesting
import Foundation
import Synchronization
import Testing

@testable import DroverIntegrations

/// The Shopify half of the sample app, below and beside its fixtures: the parsers it trusts with
/// Shopify's bytes, and the races a fixture cannot stage (an edit during a push, two pulls at once).
@Suite struct ShopifyAppTests {
    static let configPath = RepositoryFixturesTests.projectRoot + "/wrangler-like.toml"
    static let secrets = ["SHOPIFY_WEBHOOK_SECRET": "shpss_test", "SHOPIFY_ACCESS_TOKEN": "shpat_test"]

    @Test(
        "Shopify timestamps: ISO 8601 with seconds and an offset, as SQLite's julianday() reads them",
        arguments: [
            "2026-01-01T10:00:00-05:00", "2026-01-01T15:00:00Z", "2026-01-01T15:00:00.123Z", "2026-12-31T23:59:59+14:00",
            "2024-02-29T00:00:00.5+01:30",
        ])
    func validTimestamps(text: String) {
        #expect(ShopifyTimestamp.isValid(text))
    }

    @Test(
        "anything else is refused, so no stored updated_at can read as NULL",
        arguments: [
            "", "yesterday", "2026-01-01", "2026-01-01T10:00:00", "2026-01-01 10:00:00Z", "2026-13-01T10:00:00Z",
            "2026-01-32T10:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T10:60:00Z", "2026-01-01T10:00:60Z", "2026-01-01T10:00:00.Z",
            "2026-01-01T10:00:00+0500", "2026-01-01T10:00:00+05", "2026-01-01T10:00:00Zjunk", "２０２６-01-01T10:00:00Z",
            "2026-01-01T10:00:00" + String(repeating: "0", count: 30) + "Z",
        ])
    func invalidTimestamps(text: String) {
        #expect(!ShopifyTimestamp.isValid(text))
    }

    @Test("Link: the rel=\"next\" target, wherever it stands among the links and however rel is quoted")
    func nextLink() {
        let shop = "https://shop.myshopify.com/admin/api/2024-01/orders.json"
        #expect(ShopifyLinkHeader.next(in: ["<\(shop)?page_info=a>; rel=\"next\""]) == "\(shop)?page_info=a")
        #expect(
            ShopifyLinkHeader.next(in: ["<\(shop)?page_info=p>; rel=\"previous\", <\(shop)?page_info=n>; rel=\"next\""])
                == "\(shop)?page_info=n")
        #expect(ShopifyLinkHeader.next(in: ["<\(shop)?x=1,2>; rel=next"]) == "\(shop)?x=1,2")
        #expect(ShopifyLinkHeader.next(in: ["<\(shop)?a>; title=\"x\"; REL=\"Next\""]) == "\(shop)?a")
        #expect(ShopifyLinkHeader.next(in: ["<\(shop)?a>; rel=\"previous\"", "<\(shop)?b>; rel=\"next\""]) == "\(shop)?b")
        #expect(ShopifyLinkHeader.next(in: ["<\(shop)?p>; rel=\"previous\""]) == nil)
        #expect(ShopifyLinkHeader.next(in: ["rel=\"next\"", "<unterminated; rel=\"next\"", ""]) == nil)
        #expect(ShopifyLinkHeader.next(in: []) == nil)
    }

    @Test("the shop's domain and API version are checked before any URL is built from them")
    func shopConfiguration() {
        #expect(ShopifyShop.isHost("example-shop.myshopify.com"))
        for bad in ["", "shop.myshopify.com/evil", "shop..com", ".shop.com", "shop.com.", "user@shop.com", "shop.com:443", "shöp.com"] {
            #expect(!ShopifyShop.isHost(bad), "\(bad)")
        }
        #expect(ShopifyShop.isAPIVersion("2024-01") && ShopifyShop.isAPIVersion("unstable"))
        for bad in ["2024-1", "2024-01/../x", "24-01", "latest", ""] {
            #expect(!ShopifyShop.isAPIVersion(bad), "\(bad)")
        }
    }

    /// A stand-in for the shop on the far side of the network, answering the push's PUTs and
    /// the pull's GETs, and letting a test act while a call is in flight.
    final class Shop: Fetcher {
        let calls = Mutex(0)
        let during: @Sendable (Request) async -> Void

        init(during: @escaping @Sendable (Request) async -> Void = { _ in }) {
            self.during = during
        }

        func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
            calls.withLock { $0 += 1 }
            await during(request)
            if request.method == "GET" { return .json(["orders": []]) }
            let product = try await request.json()["product"] ?? [:]
            var answered = product.objectValue ?? JSONObject()
            answered["updated_at"] = "2026-01-01T00:00:05Z"
            return .json(["product": .object(answered)])
        }
    }

    @Test("a product edited while its push is in flight stays dirty, with the edit: the push clears only what it sent")
    func editDuringPush() async throws {
        let database = Mutex<(any D1Database)?>(nil)
        let shop = Shop { _ in
            let db = database.withLock { $0 }
            _ = try? await db?.prepare("UPDATE products SET title = 'edited meanwhile', dirty = 1 WHERE shopify_id = 1").run()
        }
        let client = try await TestClient(worker: IntegrationsWorker(), config: Self.configPath, secrets: Self.secrets, fetch: shop)
        database.withLock { $0 = try? client.env.d1("DB") }
        let db = try client.env.d1("DB")
        _ = try await db.prepare(
            "INSERT INTO products (shopify_id, title, handle, status, updated_at, dirty) VALUES (1, 'sent', 'h', 'active', '2026-01-01T00:00:00Z', 1)"
        ).run()

        let response = await client.request("POST", "/api/shopify/sync/products/push")
        #expect(response.status == 200)
        #expect(try await response.json() == ["pushed": 1, "failed": 0, "skipped": 0])
        let row = try #require(try await db.prepare("SELECT title, dirty FROM products WHERE shopify_id = 1").first())
        #expect(row["title"] == .text("edited meanwhile"))
        #expect(row["dirty"] == .integer(1))
        await client.close()
    }

    @Test("a pull started while another runs answers 409 and makes no call; the first finishes")
    func onePullAtATime() async throws {
        let entered = Gate()
        let release = Gate()
        let shop = Shop { _ in
            entered.open()
            await release.wait()
        }
        let client = try await TestClient(worker: IntegrationsWorker(), config: Self.configPath, secrets: Self.secrets, fetch: shop)
        let first = Task { await client.request("POST", "/api/shopify/sync/orders/pull") }
        await entered.wait()
        let second = await client.request("POST", "/api/shopify/sync/orders/pull")
        #expect(second.status == 409)
        #expect(try await second.json() == ["error": "an order pull is already running"])
        release.open()
        let answered = await first.value
        #expect(answered.status == 200)
        #expect(try await answered.json() == ["imported": 0, "failed": 0, "pages": 1])
        #expect(shop.calls.withLock { $0 } == 1)
        await client.close()
    }
}
