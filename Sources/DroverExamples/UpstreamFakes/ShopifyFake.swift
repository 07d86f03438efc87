import Drover
import DroverIntegrationKit
import Foundation

/// A local stand-in for the Shopify Admin REST API, for the calls the sample app makes:
///
/// - `PUT /admin/api/{version}/products/{id}.json` — `{"product": {...}}` answered with the product
///   as stored (`id` and a fresh `updated_at` added);
/// - `GET /admin/api/{version}/orders.json?limit=N&page_info=…` — the fake shop's orders, `limit` at
///   a time (at most 250), the next page linked as Shopify links it:
///   `Link: <https://{shop}/admin/api/{version}/orders.json?limit=N&page_info=…>; rel="next"`.
///
/// Every call needs `X-Shopify-Access-Token` equal to the var `FAKE_SHOPIFY_ACCESS_TOKEN` (401
/// otherwise), and goes through Shopify's leaky bucket — 40 calls, leaking 2 a second — kept in KV
/// per shop: each answer carries `X-Shopify-Shop-Api-Call-Limit: used/40`, and a call that does not
/// fit gets 429 with `Retry-After: 2.0`, as the real API answers
/// (https://shopify.dev/docs/api/usage/rate-limits).
enum ShopifyFake {
    /// The fake shop's orders: this many, ids from 450789469.
    static let orderCount = 7

    static func install(on router: inout Router) {
        router.put("/admin/api/:version/products/:file") { request, env, ctx in
            try await FakeLedger.serve("shopify", request, env) {
                try await limited(request, env) {
                    let file = request.param("file") ?? ""
                    guard file.hasSuffix(".json"), let id = Int64(file.dropLast(5)) else {
                        return Response.json(["errors": "Not Found"], status: 404)
                    }
                    guard case .object(var product)? = try await request.json()["product"] else {
                        return Response.json(["errors": ["product": "Required parameter missing or invalid"]], status: 400)
                    }
                    product["id"] = .integer(id)
                    product["updated_at"] = .string(ISO8601DateFormatter().string(from: env.clock.now()))
                    return Response.json(["product": .object(product)])
                }
            }
        }
        router.get("/admin/api/:version/orders.json") { request, env, ctx in
            try await FakeLedger.serve("shopify", request, env) {
                try await limited(request, env) { orders(request) }
            }
        }
    }

    /// One page of orders, and the link to the next.
    static func orders(_ request: Request) -> Response {
        let limit = max(1, min(250, Int(request.query["limit"] ?? "") ?? 50))
        // A page_info is the client's to send: anything but an offset within the orders starts over.
        let asked = request.query["page_info"].flatMap { Base64URL.decode($0) }.flatMap { Int(String(decoding: $0, as: UTF8.self)) } ?? 0
        let offset = (0..<orderCount).contains(asked) ? asked : 0
        let page = (offset..<min(offset + limit, orderCount)).map { index -> JSONValue in
            let id = 450_789_469 + Int64(index)
            return [
                "id": .integer(id), "email": .string("customer\(index)@example.com"), "total_price": .string("\(100 + index * 10).00"),
                "currency": "USD", "financial_status": index % 3 == 0 ? "pending" : "paid",
                "updated_at": .string("2026-01-0\(1 + index % 9)T10:00:00-05:00"),
                "line_items": [["id": .integer(id * 10), "sku": .string("SKU-\(index)"), "quantity": .integer(Int64(1 + index % 3)), "price": "10.00"]],
            ]
        }
        var headers = Headers()
        if offset + limit < orderCount {
            let version = request.param("version") ?? "2024-01"
            let next = Base64URL.encode(Array(String(offset + limit).utf8))
            headers.set("Link", "<\(request.scheme)://\(request.authority)/admin/api/\(version)/orders.json?limit=\(limit)&page_info=\(next)>; rel=\"next\"")
        }
        return Response.json(["orders": .array(page)], headers: headers)
    }

    /// The token check and the shop's call limit around `handler`.
    static func limited(_ request: Request, _ env: Env, _ handler: () async throws -> Response) async throws -> Response {
        guard let token = request.headers["x-shopify-access-token"], token == (env.vars["FAKE_SHOPIFY_ACCESS_TOKEN"] ?? "shpat_local_example") else {
            return Response.json(["errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"], status: 401)
        }
        let bucket = try LeakyBucket(kv: try env.kv("FAKES"), clock: env.clock, capacity: 40, leakPerSecond: 2, keyPrefix: "shopify:bucket:")
        let shop = request.authority.lowercased()
        let grant: RateLimitGrant
        do {
            grant = try await bucket.acquire(shop)
        } catch let error as RateLimitError where error.code == .limited {
            return Response.json(
                ["errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."],
                status: 429, headers: ["Retry-After": "2.0", "X-Shopify-Shop-Api-Call-Limit": "40/40"])
        }
        var response = try await handler()
        let used = max(1, min(40, Int((40 - grant.remaining).rounded(.up))))
        response.headers.set("X-Shopify-Shop-Api-Call-Limit", "\(used)/40")
        return response
    }
}
