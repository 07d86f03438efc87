import Drover
import DroverConfig
import DroverExamples
import DroverRuntime
import DroverTestSupport
import Foundation
import Testing

/// The local dashboard of `drover dev` (`/cdn-cgi/explorer/`) on a real socket, serving the
/// playground worker: its pages, its API (every route, in Cloudflare's envelope), and its refusals.
@Suite struct ExplorerTests {
    static let token = String(repeating: "ab", count: 32)

    struct Running {
        let project: PlaygroundProject
        let server: DevServer
        let port: Int
        let tail: TailHub

        /// A request to the dashboard, with the token when `token` (the default for changes).
        func call(
            _ method: String,
            _ path: String,
            body: String? = nil,
            token: Bool = true,
            headers: [String: String] = [:]
        ) async throws
            -> RawHTTPResponse
        {
            var headers = headers
            if token { headers["X-Drover-Explorer-Token"] = ExplorerTests.token }
            return try await httpRequest(port: port, method, "/cdn-cgi/explorer" + path, body: body, headers: headers)
        }

        /// `call`, expecting Cloudflare's envelope with success: its `result`.
        func result(_ method: String, _ path: String, body: String? = nil) async throws -> JSONValue {
            let response = try await call(method, path, body: body)
            let json = try response.json()
            #expect(response.status == 200, "\(method) \(path): \(response.text)")
            #expect(json["success"] == true)
            #expect(json["errors"] == .array([]))
            return json["result"] ?? .null
        }

        func stop() async { await server.shutdown() }
    }

    static func start(secret: String? = nil) async throws -> Running {
        let project = try PlaygroundProject.make()
        if let secret { try project.write(".dev.vars", "API_TOKEN=\(secret)\n") }
        let logger = Logger(label: "drover", level: .info, sink: MemoryLogSink())
        var settings = DevServer.Settings()
        settings.port = 0
        settings.cronTriggers = false
        let tail = TailHub()
        settings.tail = tail
        settings.explorer = ExplorerContext(token: token, tail: tail)
        let server = DevServer(settings: settings, logger: logger, factory: project.runtimeFactory(logger: logger, tail: tail))
        let port = try await server.start()
        return Running(project: project, server: server, port: port, tail: tail)
    }

    @Test("the pages render their data on the server, under both paths, unframeable, with secrets by name only")
    func pages() async throws {
        let secret = "s3cr3t-value-never-sent"
        let running = try await Self.start(secret: secret)
        defer { Task { await running.stop() } }
        let redirect = try await httpRequest(port: running.port, "GET", "/cdn-cgi/explorer")
        #expect(redirect.status == 308)
        #expect(redirect.header("location") == "/cdn-cgi/explorer/")
        let overview = try await running.call("GET", "/", token: false)
        #expect(overview.status == 200)
        #expect(overview.header("content-type")?.hasPrefix("text/html") == true)
        #expect(overview.header("content-security-policy")?.contains("frame-ancestors 'none'") == true)
        #expect(overview.text.contains("<meta name=\"drover-explorer-token\" content=\"\(Self.token)\">"))
        let page = overview.text
        for binding in ["playground-kv", "JOBS", "DB", "API_TOKEN", "GREETING"] {
            #expect(page.contains(binding), "\(binding)")
        }
        #expect(!page.contains(secret))
        let api = try await running.result("GET", "/api/local/overview")
        #expect(!JSONSerializer.string(api).contains(secret))
        #expect(api["bindings"]?.arrayValue?.contains { $0["name"] == "API_TOKEN" && $0["type"] == "secret_text" } == true)
        let miniflarePath = try await httpRequest(port: running.port, "GET", "/cdn-cgi/local/explorer/queues")
        #expect(miniflarePath.status == 200)
        #expect(miniflarePath.text.contains("jobs-dlq"))
        for page in ["kv", "kv/playground-kv", "d1", "d1/playground", "queues", "queues/jobs", "durable-objects", "cron", "deployments", "tail", "metrics", "fixtures"] {
            let response = try await running.call("GET", "/" + page, token: false)
            #expect(response.status == 200, "\(page): \(response.text.prefix(300))")
        }
        #expect(try await running.call("GET", "/nope", token: false).status == 404)
        let cron = try await running.call("GET", "/cron", token: false)
        #expect(cron.text.contains("data-body=\"cron:*/5 * * * *\""))
        let farPage = try await running.call("GET", "/d1/playground/d1_migrations?page=9223372036854775807", token: false)
        #expect(farPage.status == 200)
        let script = try await running.call("GET", "/assets/explorer.js", token: false)
        #expect(script.header("content-type")?.hasPrefix("text/javascript") == true)
        #expect(script.text.contains("X-Drover-Explorer-Token"))
    }

    @Test("refused: another site's page, a rebound host name, a change without the token or with a wrong one; unknown bindings and routes")
    func refusals() async throws {
        let running = try await Self.start()
        defer { Task { await running.stop() } }
        let crossSite = try await running.call("GET", "/api/storage/kv/namespaces", token: false, headers: ["Sec-Fetch-Site": "cross-site"])
        #expect(crossSite.status == 403)
        let crossPage = try await running.call("GET", "/", token: false, headers: ["Sec-Fetch-Site": "same-site"])
        #expect(crossPage.status == 403)
        let origin = try await running.call(
            "PUT",
            "/api/storage/kv/namespaces/playground-kv/values/k",
            body: "v",
            headers: ["Origin": "https://evil.example"]
        )
        #expect(origin.status == 403)
        let rebound = try await running.call("GET", "/", token: false, headers: ["Host": "evil.example"])
        #expect(rebound.status == 403)
        let noToken = try await running.call("PUT", "/api/storage/kv/namespaces/playground-kv/values/k", body: "v", token: false)
        #expect(noToken.status == 403)
        #expect(try noToken.json()["success"] == false)
        let wrongToken = try await running.call(
            "DELETE",
            "/api/storage/kv/namespaces/playground-kv/values/k",
            token: false,
            headers: ["X-Drover-Explorer-Token": String(repeating: "cd", count: 32)]
        )
        #expect(wrongToken.status == 403)
        // Nothing was written by the refused requests.
        #expect(try await running.call("GET", "/api/storage/kv/namespaces/playground-kv/values/k").status == 404)
        let sameOrigin = try await running.call("GET", "/api/storage/kv/namespaces", token: false, headers: ["Sec-Fetch-Site": "same-origin"])
        #expect(sameOrigin.status == 200)

        for (path, code, status) in [
            ("/api/storage/kv/namespaces/nope/keys", 10013, 404), ("/api/d1/database/nope", 7404, 404), ("/api/queues/nope", 10104, 404),
            ("/api/nothing/here", 7003, 404), ("/api/storage/kv/namespaces/playground-kv/values/absent", 10009, 404),
        ] {
            let response = try await running.call("GET", path)
            #expect(response.status == status, "\(path)")
            let json = try response.json()
            #expect(json["success"] == false)
            #expect(json["result"] == .null)
            let answered = json["errors"]?[0]?["code"]?.integerValue
            #expect(answered == Int64(code), "\(path)")
        }
        let post = try await running.call("POST", "/kv", token: true)
        #expect(post.status == 405)
    }

    @Test("KV: put with TTL and metadata, list, read, metadata, bulk put and delete, delete; the platform's refusals")
    func kv() async throws {
        let running = try await Self.start()
        defer { Task { await running.stop() } }
        let namespaces = try await running.result("GET", "/api/storage/kv/namespaces")
        #expect(namespaces == [["id": "playground-kv", "title": "KV", "supports_url_encoding": true, "binding": "KV"]])
        let base = "/api/storage/kv/namespaces/playground-kv"
        _ = try await running.result("PUT", base + "/values/greeting%2Fen?expiration_ttl=120&metadata=%7B%22lang%22%3A%22en%22%7D", body: "hello")
        let keys = try await running.call("GET", base + "/keys?prefix=greet")
        let listed = try keys.json()
        #expect(listed["result"]?[0]?["name"] == "greeting/en")
        #expect(listed["result"]?[0]?["metadata"] == ["lang": "en"])
        let expiration = listed["result"]?[0]?["expiration"]?.integerValue ?? 0
        let now = Int64(Date().timeIntervalSince1970)
        #expect((now + 100...now + 140).contains(expiration))
        #expect(listed["result_info"] == ["count": 1, "cursor": ""])
        let value = try await running.call("GET", base + "/values/greeting%2Fen")
        #expect(value.text == "hello")
        #expect(value.header("expiration") == String(expiration))
        #expect(try await running.result("GET", base + "/metadata/greeting%2Fen") == ["lang": "en"])

        let tooSoon = try await running.call("PUT", base + "/values/x?expiration_ttl=30", body: "v")
        #expect(tooSoon.status == 400)
        let tooSoonMessage = try tooSoon.json()["errors"]?[0]?["message"]?.stringValue ?? ""
        #expect(tooSoonMessage.contains("60"), "\(tooSoonMessage)")

        let bulk = try await running.result(
            "PUT",
            base + "/bulk",
            body: #"[{"key": "a", "value": "1"}, {"key": "b", "value": "Mg==", "base64": true}]"#
        )
        #expect(bulk["successful_key_count"] == 2)
        #expect(try await running.call("GET", base + "/values/b").text == "2")
        let exported = try await running.result("GET", "/api/local/kv/playground-kv/export")
        let exportedKeys: [String] = (exported.arrayValue ?? []).compactMap { $0["key"]?.stringValue }
        #expect(exportedKeys.sorted() == ["a", "b", "greeting/en"])
        #expect(exported.arrayValue?.first { $0["key"] == "greeting/en" }?["metadata"] == ["lang": "en"])
        _ = try await running.result("POST", base + "/bulk/delete", body: #"["a", "b"]"#)
        #expect(try await running.call("GET", base + "/values/a").status == 404)
        _ = try await running.result("DELETE", base + "/values/greeting%2Fen")
        #expect(try await running.result("GET", base + "/keys") == [])

        let page = try await running.call("GET", "/kv/playground-kv", token: false)
        #expect(page.text.contains("data-api=\"api/storage/kv/namespaces/playground-kv/values/{key}\""))
    }

    @Test("Durable Objects: namespaces and objects listed, one object's entries, SQL and alarm; put, delete, run the alarm; refusals")
    func durableObjects() async throws {
        let running = try await Self.start()
        defer { Task { await running.stop() } }
        _ = try await httpRequest(port: running.port, "POST", "/do/counter/ann/incr")
        _ = try await httpRequest(port: running.port, "POST", "/do/counter/ann/sql", body: #"{"sql": "CREATE TABLE t (x); INSERT INTO t VALUES (5)"}"#)
        _ = try await httpRequest(port: running.port, "POST", "/do/counter/ann/alarm", body: #"{"inMs": 3600000}"#)

        let namespaces = try await running.result("GET", "/api/workers/durable_objects/namespaces")
        #expect(namespaces == [["id": "COUNTER", "name": "COUNTER", "class": "Counter", "script": "playground", "use_sqlite": true]])
        let objects = try await running.result("GET", "/api/workers/durable_objects/namespaces/COUNTER/objects")
        #expect(objects[0]?["name"] == "ann")
        let id = try #require(objects[0]?["id"]?.stringValue)
        let object = try await running.result("GET", "/api/local/durable-objects/COUNTER/ann")
        #expect(object["id"] == .string(id))
        #expect(object["storage"] == ["count": 1])
        #expect(object["tables"]?[0]?["name"] == "t")
        #expect(object["alarm"]?.integerValue != nil)
        #expect(try await running.result("GET", "/api/local/durable-objects/COUNTER/\(id)")["name"] == "ann")

        let rows = try await running.result("POST", "/api/local/durable-objects/COUNTER/ann/sql", body: #"{"sql": "SELECT x FROM t"}"#)
        #expect(rows[0]?["results"] == ["columns": ["x"], "rows": [[5]]])
        let refused = try await running.call("POST", "/api/local/durable-objects/COUNTER/ann/sql", body: #"{"sql": "SELECT * FROM _cf_KV"}"#)
        #expect(refused.status == 400)
        #expect(try refused.json()["errors"]?[0]?["message"] == "access to _cf_KV.key is prohibited: SQLITE_AUTH")
        let noToken = try await running.call("POST", "/api/local/durable-objects/COUNTER/ann/sql", body: #"{"sql": "SELECT 1"}"#, token: false)
        #expect(noToken.status == 403)

        _ = try await running.result("PUT", "/api/local/durable-objects/COUNTER/ann/storage/note", body: #"{"hello": 1}"#)
        _ = try await running.result("DELETE", "/api/local/durable-objects/COUNTER/ann/storage/count")
        #expect(try await running.call("DELETE", "/api/local/durable-objects/COUNTER/ann/storage/count").status == 404)
        _ = try await running.result("POST", "/api/local/durable-objects/COUNTER/ann/alarm/run")
        let after = try await running.result("GET", "/api/local/durable-objects/COUNTER/ann")
        #expect(after["storage"] == ["alarms": 1, "note": ["hello": 1]])
        #expect(after["alarm"] == .null)
        #expect(try await running.call("POST", "/api/local/durable-objects/COUNTER/ann/alarm/run").status == 400)
        #expect(try await running.call("GET", "/api/local/durable-objects/NOPE/ann").status == 404)

        let list = try await running.call("GET", "/durable-objects", token: false)
        #expect(list.status == 200)
        #expect(list.text.contains(id))
        let page = try await running.call("GET", "/durable-objects/COUNTER/\(id)", token: false)
        #expect(page.text.contains("id=sql-console"))
        #expect(page.text.contains("&quot;hello&quot;"))
    }

    @Test("D1: query with params, raw rows, D1's error text, the databases with their tables; the pages browse rows")
    func d1() async throws {
        let running = try await Self.start()
        defer { Task { await running.stop() } }
        let base = "/api/d1/database/playground"
        _ = try await running.result(
            "POST",
            base + "/query",
            body: #"{"sql": "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('one')"}"#
        )
        let inserted = try await running.result("POST", base + "/query", body: #"{"sql": "INSERT INTO notes (text) VALUES (?)", "params": ["two"]}"#)
        #expect(inserted[0]?["meta"]?["changes"] == 1)
        let raw = try await running.result("POST", base + "/raw", body: #"{"sql": "SELECT id, text FROM notes ORDER BY id"}"#)
        let expectedRows: JSONValue = ["columns": ["id", "text"], "rows": [[1, "one"], [2, "two"]]]
        #expect(raw[0]?["results"] == expectedRows)
        let objects = try await running.result("POST", base + "/query", body: #"{"sql": "SELECT text FROM notes WHERE id = ?", "params": [2]}"#)
        #expect(objects[0]?["results"] == [["text": "two"]])
        let broken = try await running.call("POST", base + "/query", body: #"{"sql": "SELECT nope FROM notes"}"#)
        #expect(broken.status == 400)
        let brokenMessage = try broken.json()["errors"]?[0]?["message"]?.stringValue ?? ""
        #expect(brokenMessage.contains("no such column"), "\(brokenMessage)")
        let databases = try await running.result("GET", "/api/d1/database")
        #expect(databases[0]?["uuid"] == "playground")
        #expect((databases[0]?["num_tables"]?.integerValue ?? 0) >= 2)
        let rows = try await running.call("GET", "/d1/playground/notes", token: false)
        #expect(rows.text.contains("two"))
        let migrations = try await running.result("GET", "/api/local/d1/playground/migrations")
        #expect((migrations["applied"]?.arrayValue?.count ?? 0) >= 1)
        #expect(migrations["pending"] == [])
        let export = try await running.call("GET", base + "/export")
        #expect(export.text.contains("INSERT INTO notes"))
        #expect(try await running.call("GET", "/d1/playground/no%20such%20table", token: false).status == 404)
    }

    @Test("queues: pause holds delivery, peek takes no lease, purge empties; a dead letter edited and replayed is delivered")
    func queues() async throws {
        let running = try await Self.start()
        defer { Task { await running.stop() } }
        // The dead-letter queue's own consumer would drop what arrives: paused, dead letters stay.
        let paused = try await running.result("PATCH", "/api/queues/jobs-dlq", body: #"{"settings": {"delivery_paused": true}}"#)
        #expect(paused["settings"]?["delivery_paused"] == true)
        _ = try await running.result("POST", "/api/queues/jobs/messages", body: #"{"body": {"action": "retry", "n": 1}, "content_type": "json"}"#)
        try await eventually("the dead letter") {
            (try await running.result("GET", "/api/local/dead-letters/jobs-dlq")).arrayValue?.count == 1
        }
        let letter = try await running.result("GET", "/api/local/dead-letters/jobs-dlq")
        let id = letter[0]?["id"]?.stringValue ?? ""
        #expect(letter[0]?["from"] == "jobs")
        #expect(letter[0]?["body"] == ["action": "retry", "n": 1])
        // max_retries = 2: three deliveries, the consumer retrying each.
        #expect(letter[0]?["attempts"] == 3)
        #expect(letter[0]?["last_error"] == "the consumer retried it")
        let peek = try await running.result("GET", "/api/local/queues/jobs-dlq/messages")
        #expect(peek[0]?["id"]?.stringValue == id)
        #expect(peek[0]?["in_flight"] == false)
        #expect(peek[0]?["dead_lettered_from"] == "jobs")

        let replayed = try await running.result(
            "POST",
            "/api/local/dead-letters/jobs-dlq/\(id)/replay",
            body: #"{"body": {"action": "ack", "n": 2}}"#
        )
        #expect(replayed["queue"] == "jobs")
        try await eventually("the replayed message delivered") {
            try await DevServerTests.deliveries(port: running.port).contains { $0["msg"]?.stringValue?.contains("\"n\":2") == true }
        }
        #expect(try await running.result("GET", "/api/local/dead-letters/jobs-dlq") == [])

        // A handler that throws: its error, with no secret in it, is the dead letter's last failure.
        _ = try await running.result("POST", "/api/queues/jobs/messages", body: #"{"body": {"action": "throw"}}"#)
        try await eventually("the thrown message dead-lettered") {
            (try await running.result("GET", "/api/local/dead-letters/jobs-dlq")).arrayValue?.count == 1
        }
        let thrown = try await running.result("GET", "/api/local/dead-letters/jobs-dlq")
        let failure = thrown[0]?["last_error"]?.stringValue ?? ""
        #expect(failure.hasPrefix("the queue handler threw: ") && failure.contains("asked the consumer to throw"), "\(failure)")
        let thrownID = thrown[0]?["id"]?.stringValue ?? ""
        _ = try await running.result("DELETE", "/api/local/queues/jobs-dlq/messages/\(thrownID)")
        #expect(try await running.result("GET", "/api/local/dead-letters/jobs-dlq") == [])

        // Paused: messages wait, and peeking them leases nothing.
        _ = try await running.result(
            "POST",
            "/api/queues/jobs-dlq/messages/batch",
            body: #"{"messages": [{"body": "a", "content_type": "text"}, {"body": {"b": 1}}]}"#
        )
        let waiting = try await running.result("GET", "/api/local/queues/jobs-dlq/messages")
        #expect(waiting.arrayValue?.map { $0["attempts"] } == [0, 0])
        let queues = try await running.result("GET", "/api/queues")
        let dlq = queues.arrayValue?.first { $0["queue_name"] == "jobs-dlq" }
        #expect(dlq?["local"]?["pending"] == 2)
        #expect(dlq?["settings"]?["delivery_paused"] == true)
        let purged = try await running.result("POST", "/api/queues/jobs-dlq/purge")
        #expect(purged["purged"] == 2)
        #expect(try await running.result("GET", "/api/local/queues/jobs-dlq/messages") == [])

        // Resumed: what is sent is delivered again.
        _ = try await running.result("PATCH", "/api/queues/jobs-dlq", body: #"{"settings": {"delivery_paused": false}}"#)
        _ = try await running.result("POST", "/api/queues/jobs-dlq/messages", body: #"{"body": "after resume", "content_type": "text"}"#)
        try await eventually("the message sent after resuming delivered") {
            try await DevServerTests.deliveries(port: running.port).contains { $0["msg"] == "after resume" }
        }
        let refused = try await running.call("POST", "/api/queues/jobs/messages", body: #"{"body": 1, "content_type": "text"}"#)
        #expect(refused.status == 400)
    }

    @Test(
        "cron triggers with their next fire times and run now; versions empty and rollback unavailable without a deployment; metrics count requests"
    )
    func cronVersionsMetrics() async throws {
        let running = try await Self.start()
        defer { Task { await running.stop() } }
        let crons = try await running.result("GET", "/api/local/cron")
        #expect(crons[0]?["cron"] == "*/5 * * * *")
        let next: [String] = (crons[0]?["next"]?.arrayValue ?? []).compactMap { $0.stringValue }
        #expect(next.count == 5)
        // Every fifth minute on the minute: "…T12:35:00Z".
        for time in next {
            let minute = time.split(separator: ":").dropFirst().first.flatMap { Int($0) } ?? -1
            #expect(minute % 5 == 0 && time.hasSuffix(":00Z"), "\(time)")
        }
        let run = try await running.result("POST", "/api/local/cron/run", body: #"{"cron": "*/5  * * * *"}"#)
        #expect(run["outcome"] == "ok")
        let afterRun = try await running.result("GET", "/api/local/cron")
        #expect(afterRun[0]?["last_run"]?["outcome"] == "ok")
        #expect(try await running.call("POST", "/api/local/cron/run", body: #"{"cron": "* * * * *"}"#).status == 400)

        let versions = try await running.result("GET", "/api/local/versions")
        #expect(versions["versions"] == [])
        #expect(versions["active"] == .null)
        #expect(try await running.call("POST", "/api/local/versions/rollback", body: "{}").status == 501)

        for _ in 0..<3 { _ = try await httpRequest(port: running.port, "GET", "/") }
        // The worker's own calls on its bindings are counted (the dashboard's calls are not the worker's).
        #expect(try await httpRequest(port: running.port, "PUT", "/kv/counted", body: "1").status == 201)
        _ = try await httpRequest(port: running.port, "GET", "/kv/counted")
        _ = try await httpRequest(port: running.port, "GET", "/kv/counted")
        let metrics = try await running.result("GET", "/api/local/metrics")
        #expect((metrics["requests_total"]?.doubleValue ?? 0) >= 3)
        #expect(metrics["scheduled_runs"]?["*/5 * * * *"] == 1)
        #expect(metrics["bindings"]?["KV"]?["type"] == "kv")
        #expect(metrics["bindings"]?["KV"]?["put"] == 1)
        #expect(metrics["bindings"]?["KV"]?["get"] == 2)
        let document = try await running.call("GET", "/api/")
        #expect(try document.json()["openapi"] == "3.1.0")
        #expect(try document.json()["paths"]?["/storage/kv/namespaces/{namespace_id}/keys"] != nil)
    }

    @Test("the live tail streams a request, a cron run and a queue batch as server-sent events")
    func liveTail() async throws {
        let running = try await Self.start()
        defer { Task { await running.stop() } }
        // The probe reads blocking, on threads of its own: the server runs in this process.
        let port = running.port
        let probe = try await RawHTTPConnection.onThread { try TailProbe(port: port, path: "/cdn-cgi/explorer/api/local/tail") }
        #expect(probe.connected)
        _ = try await httpRequest(port: running.port, "GET", "/seen-by-the-tail")
        let events = try await RawHTTPConnection.onThread { probe.readUntil("/seen-by-the-tail", limit: 256 * 1024) }
        #expect(events.contains("data: {"))
        #expect(events.contains("/seen-by-the-tail"))
        _ = try await running.result("POST", "/api/local/cron/run", body: #"{"cron": "*/5 * * * *"}"#)
        let cron = try await RawHTTPConnection.onThread { probe.readUntil("\"type\":\"scheduled\"", limit: 256 * 1024) }
        #expect(cron.contains("\"cron\":\"*/5 * * * *\""))
        _ = try await running.result("POST", "/api/queues/jobs/messages", body: #"{"body": {"action": "ack"}}"#)
        let batch = try await RawHTTPConnection.onThread { probe.readUntil("\"type\":\"queue\"", limit: 256 * 1024) }
        #expect(batch.contains("\"queue\":\"jobs\""))
    }
}
