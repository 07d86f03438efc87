import Drover
import DroverIntegrations
import DroverTestSupport
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The sample app's promise to Shopify under `kill -9`: a webhook answered 200 is stored — once —
/// however the process dies afterwards, and a refused one never is.
///
/// A stream of signed order webhooks (one in five with a bad signature) goes into the built
/// `drover dev` serving the top-level config, while the process is killed with SIGKILL several
/// times mid-stream and started again on the same state. Requests in flight at a kill get no
/// answer; those may or may not have landed, as Shopify would send them again. At the end the
/// consumer drains what was queued, and the database must hold every order answered 200, each with
/// exactly its one line item, and no order whose webhook was refused.
@Suite struct ShopifyWebhookCrashTests {
    static let secret = "shpss_crash_test"
    static let kills = 4
    static let webhooksPerRound = 80

    /// What became of each webhook sent.
    final class Ledger: Sendable {
        let accepted = Mutex<Set<Int64>>([])
        let refused = Mutex<Set<Int64>>([])
        let unanswered = Mutex<Set<Int64>>([])

        /// How many webhooks got an answer, 200 or 401.
        var answered: Int { accepted.withLock { $0.count } + refused.withLock { $0.count } }
    }

    @Test("webhooks answered 200 land in orders exactly once across kill -9 mid-stream; refused ones never do")
    func killedMidStream() async throws {
        let project = try Self.makeProject()
        let ledger = Ledger()
        var nextID: Int64 = 1_000
        for round in 0...Self.kills {
            let dev = try DroverProcessTests.DevProcess(
                arguments: ["dev", "--port", "0", "--config", project.path + "/wrangler-like.toml", "--persist-to", project.path + "/state"],
                directory: project.path)
            let port = try await dev.readyPort()
            let ids = (0..<Int64(Self.webhooksPerRound)).map { nextID + $0 }
            nextID += Int64(Self.webhooksPerRound)
            if round == Self.kills {
                // The last round runs to the end, then the queue drains.
                await Self.send(ids, port: port, ledger: ledger)
                let expected = ledger.accepted.withLock { $0 }
                try await eventually("every accepted order to be stored", limit: .seconds(240)) {
                    let stored = try await Self.storedOrders(project)
                    return expected.isSubset(of: Set(stored.keys))
                }
                dev.signal(SIGINT)
                #expect(await dev.exitStatus() == .exited(0))
            } else {
                // Kill while requests are in flight: the moment this round's answers reach a
                // number that differs per round, with three more requests on their way.
                await Self.send(ids, port: port, ledger: ledger, killAfter: Self.webhooksPerRound / 4 + round * 7) {
                    dev.signal(SIGKILL)
                }
                #expect(await dev.exitStatus() == .signaled(SIGKILL))
            }
        }

        let stored = try await Self.storedOrders(project)
        let accepted = ledger.accepted.withLock { $0 }
        let refused = ledger.refused.withLock { $0 }
        let unanswered = ledger.unanswered.withLock { $0 }
        print("shopify crash test: \(Self.kills) kills; \(accepted.count) webhooks accepted, \(refused.count) refused, \(unanswered.count) cut off; \(stored.count) orders stored")
        #expect(accepted.count >= Self.webhooksPerRound, "too few webhooks were answered to show anything")
        #expect(!unanswered.isEmpty, "no kill caught a request in flight")
        let missing = accepted.subtracting(stored.keys)
        #expect(missing.isEmpty, "orders answered 200 but not stored: \(missing.sorted())")
        let doubled = stored.filter { $0.value != 1 }
        #expect(doubled.isEmpty, "orders whose line items are not exactly one: \(doubled)")
        let leaked = refused.intersection(stored.keys)
        #expect(leaked.isEmpty, "orders stored though their webhook was refused: \(leaked.sorted())")
        // Anything stored was sent: answered 200, or in flight at a kill.
        #expect(Set(stored.keys).isSubset(of: accepted.union(unanswered)))
    }

    /// Sends the webhooks for `ids`, four at a time, recording each outcome; calls `kill` once
    /// `killAfter` of them have been answered.
    static func send(_ ids: [Int64], port: Int, ledger: Ledger, killAfter: Int? = nil, kill: () -> Void = {}) async {
        await withTaskGroup(of: Void.self) { group in
            var finished = 0
            for (index, id) in ids.enumerated() {
                if index >= 4 {
                    await group.next()
                    finished += 1
                    if finished == killAfter { kill() }
                }
                group.addTask {
                    let forged = id % 5 == 0
                    let body =
                        #"{"id":\#(id),"email":"buyer\#(id)@example.com","total_price":"10.00","currency":"USD","#
                        + #""financial_status":"paid","updated_at":"2026-01-01T10:00:00-05:00","#
                        + #""line_items":[{"id":\#(id * 10),"sku":"SKU-\#(id)","quantity":1,"price":"10.00"}]}"#
                    let signature = Base64.encode(Crypto.hmacSHA256(key: Array((forged ? "forged" : secret).utf8), data: Array(body.utf8)))
                    do {
                        let response = try await httpRequest(
                            port: port, "POST", "/webhooks/shopify", body: body,
                            headers: [
                                "Content-Type": "application/json", "X-Shopify-Topic": "orders/create",
                                "X-Shopify-Webhook-Id": "crash-\(id)", "X-Shopify-Hmac-Sha256": signature,
                            ])
                        switch response.status {
                        case 200: ledger.accepted.withLock { _ = $0.insert(id) }
                        case 401: ledger.refused.withLock { _ = $0.insert(id) }
                        default: ledger.unanswered.withLock { _ = $0.insert(id) }
                        }
                    } catch {
                        ledger.unanswered.withLock { _ = $0.insert(id) }
                    }
                }
            }
        }
    }

    /// Every stored order and how many line items it has, read with `drover d1 execute --json`.
    static func storedOrders(_ project: TemporaryDirectory) async throws -> [Int64: Int64] {
        var registry = WorkerRegistry()
        registry.register("integrations", IntegrationsWorker())
        let run = await CLIRun.run(
            [
                "d1", "execute", "DB", "--json", "--persist-to", project.path + "/state", "--command",
                "SELECT o.shopify_id AS id, (SELECT count(*) FROM order_items i WHERE i.order_shopify_id = o.shopify_id) AS items FROM orders o",
            ], in: project.path, registry: registry)
        guard run.status == 0 else { throw RawHTTPError(description: "d1 execute failed: \(run.errors)") }
        let rows = try JSONParser.parse(run.output)[0]?["results"]?.arrayValue ?? []
        var stored: [Int64: Int64] = [:]
        for row in rows {
            if let id = row["id"]?.integerValue { stored[id] = row["items"]?.integerValue ?? 0 }
        }
        return stored
    }

    /// The sample app's config (without its dev wiring to the fakes) and migrations, and a
    /// `.dev.vars` with the test's webhook secret, in a temporary directory.
    static func makeProject() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let config = try String(contentsOfFile: root + "/wrangler-like.toml", encoding: .utf8)
        let appOnly = config.components(separatedBy: "[[dev.outbound]]")[0]
        try appOnly.write(toFile: directory.path + "/wrangler-like.toml", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: root + "/migrations", toPath: directory.path + "/migrations")
        try "SHOPIFY_WEBHOOK_SECRET=\"\(secret)\"\nSHOPIFY_ACCESS_TOKEN=\"shpat_crash_test\"\n"
            .write(toFile: directory.path + "/.dev.vars", atomically: true, encoding: .utf8)
        return directory
    }
}
