import Drover
import Foundation
import Testing

@testable import DroverReplay

@Suite("Fixture validation")
struct FixtureValidationTests {
    static let file = "Fixtures/shopify/dup.json"

    /// A minimal valid fixture with `extra` spliced into the top level.
    static func document(_ extra: String = "", steps: String = #"[{"request": {"method": "GET", "path": "/"}}]"#) -> String {
        #"{"name": "n", "steps": \#(steps)\#(extra.isEmpty ? "" : ", " + extra)}"#
    }

    static func issues(_ text: String) -> [String] {
        do {
            _ = try Fixture.parse(bytes: Array(text.utf8), file: file)
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    @Test func parsesEveryKey() throws {
        let text = #"""
            {
              "name": "duplicate webhook is ignored",
              "config": "../wrangler.toml",
              "env": "staging",
              "now": "2026-03-01T12:00:00.500+01:00",
              "secrets": {"SHOPIFY_SECRET": "whsec_1"},
              "vars": {"API_VERSION": "2024-01", "FLAGS": {"a": true}},
              "given": {
                "kv": {"SESSIONS": [{"key": "s:1", "value": "text", "expirationTtl": 60, "metadata": {"v": 1}},
                                    {"key": "s:2", "json": {"a": 1}, "expiration": 1767225700},
                                    {"key": "s:3", "base64": "AAE="}]},
                "d1": {"DB": ["INSERT INTO users(id) VALUES (1)"]},
                "queues": {"EMAILS": [{"body": {"to": "a@example.test"}, "contentType": "json"}]}
              },
              "upstream": [
                {"request": {"method": "post", "url": "https://api.example.test/v1/send?x=1",
                             "headers": {"Idempotency-Key": "abc"}, "bodyJson": {"to": "x"}},
                 "response": {"status": 201, "json": {"id": "m_1"}, "delayMs": 250}, "times": 2},
                {"request": {"method": "GET", "url": "https://api.example.test/v1/status"},
                 "response": {"error": "timeout"}, "times": "any"}
              ],
              "upstreamStrict": false,
              "steps": [
                {"request": {"method": "POST", "path": "/webhooks/shopify?x=1", "headers": {"X-Sig": "s"},
                             "json": {"id": 1}},
                 "expect": {"status": 200, "headers": {"content-type": "application/json"}, "json": {"ok": true},
                            "jsonSubset": {"ok": true}, "body": "OK", "bodyContains": "O"}},
                {"drainQueues": true},
                {"drainQueues": ["EMAILS", "emails-dlq"]},
                {"advance": "90s"},
                {"advance": "1.5h"},
                {"scheduled": "*/5 * * * *"},
                {"deploy": "/v2.toml"}
              ],
              "expect": {
                "kv": {"SESSIONS": {"s:1": {"value": "text"}, "s:2": {"absent": true}, "s:3": {"jsonSubset": {"a": 1}},
                                    "s:4": {"json": [1]}, "s:5": {"base64": "AAE="}}},
                "d1": [{"db": "DB", "query": "SELECT id FROM users", "rows": [{"id": 1}]}],
                "queues": {"EMAILS": {"pending": 0, "deadLettered": 1}},
                "upstreamCalls": 3,
                "logsContain": ["circuit open"],
                "logsNotContain": ["whsec_"]
              }
            }
            """#
        let fixture = try Fixture.parse(bytes: Array(text.utf8), file: Self.file)
        #expect(fixture.name == "duplicate webhook is ignored")
        #expect(fixture.config == "../wrangler.toml")
        #expect(fixture.env == "staging")
        #expect(fixture.now == Date(timeIntervalSince1970: 1_772_362_800.5))
        #expect(fixture.secretValues == ["SHOPIFY_SECRET": "whsec_1"])
        #expect(fixture.vars["FLAGS"] == ["a": true])
        #expect(fixture.given.kv.count == 1)
        let entries = fixture.given.kv[0].entries
        #expect(entries.map(\.key) == ["s:1", "s:2", "s:3"])
        #expect(entries[0].value == .text("text") && entries[0].expirationTtl == 60 && entries[0].metadata == ["v": 1])
        #expect(entries[1].bytes == Array(#"{"a":1}"#.utf8) && entries[1].expiration == 1_767_225_700)
        #expect(entries[2].bytes == [0, 1])
        #expect(fixture.given.d1[0].statements == ["INSERT INTO users(id) VALUES (1)"])
        #expect(fixture.given.queues[0].messages[0].contentType == "json")
        #expect(fixture.upstream.count == 2)
        #expect(fixture.upstream[0].request.method == "POST")
        #expect(fixture.upstream[0].times == .count(2))
        #expect(fixture.upstream[0].delayMilliseconds == 250)
        #expect(fixture.upstream[1].times == .any)
        #expect(!fixture.upstreamStrict)
        #expect(fixture.steps.count == 7)
        guard case .request(let request, let expect?) = fixture.steps[0].action else {
            Issue.record("step 0 is not a request with expect")
            return
        }
        #expect(request.path == "/webhooks/shopify?x=1")
        #expect(request.body == Array(#"{"id":1}"#.utf8))
        #expect(request.makeRequest().headers["content-type"] == "application/json")
        #expect(request.makeRequest().url == "http://localhost/webhooks/shopify?x=1")
        #expect(expect.status == 200 && expect.body == "OK" && expect.bodyContains == "O")
        #expect(expect.path.description == "steps[0].expect")
        if case .drainQueues(let names) = fixture.steps[1].action { #expect(names == nil) } else { Issue.record("step 1") }
        if case .drainQueues(let names) = fixture.steps[2].action { #expect(names == ["EMAILS", "emails-dlq"]) } else { Issue.record("step 2") }
        if case .advance(let seconds) = fixture.steps[3].action { #expect(seconds == 90) } else { Issue.record("step 3") }
        if case .advance(let seconds) = fixture.steps[4].action { #expect(seconds == 5400) } else { Issue.record("step 4") }
        if case .scheduled(let cron) = fixture.steps[5].action { #expect(cron == "*/5 * * * *") } else { Issue.record("step 5") }
        if case .deploy(let path) = fixture.steps[6].action { #expect(path == "/v2.toml") } else { Issue.record("step 6") }
        let final = try #require(fixture.expect)
        #expect(final.kv.map(\.key) == ["s:1", "s:2", "s:3", "s:4", "s:5"])
        #expect(final.kv[1].check == .absent)
        #expect(final.kv[4].check == .bytes([0, 1]))
        #expect(final.kv[0].path.description == "expect.kv.SESSIONS.s:1")
        #expect(final.d1[0].rows == [["id": 1]])
        #expect(final.queues[0].pending == 0 && final.queues[0].deadLettered == 1)
        #expect(final.upstreamCalls == 3)
        #expect(final.logsContain == ["circuit open"] && final.logsNotContain == ["whsec_"])
        #expect(fixture.source["name"] == "duplicate webhook is ignored")
    }

    @Test func defaults() throws {
        let fixture = try Fixture.parse(bytes: Array(Self.document().utf8), file: Self.file)
        #expect(fixture.now == FixtureTime.defaultNow)
        #expect(fixture.now == FixtureTime.parseTimestamp("2026-01-01T00:00:00Z"))
        #expect(fixture.upstreamStrict)
        #expect(fixture.secrets == nil)
        #expect(fixture.expect == nil)
        #expect(fixture.configPath(projectRoot: "/p") == "/p/wrangler-like.toml")
    }

    @Test func configPaths() {
        #expect(Fixture.resolve("../a.toml", fixtureFile: "Fixtures/shopify/x.json", projectRoot: "/p") == "Fixtures/shopify/../a.toml")
        #expect(Fixture.resolve("/conf/a.toml", fixtureFile: "Fixtures/shopify/x.json", projectRoot: "/p") == "/p/conf/a.toml")
    }

    static let malformed: [(String, String)] = [
        (
            #"{"name": "n", "steps": [{"request": {"method": "GET", "path": "/"}}, {"advance": "1s"}, {"request": {"method": 2, "path": "/"}}]}"#,
            "Fixtures/shopify/dup.json: steps[2].request.method: expected a string, got number"
        ),
        (
            document(#""stepz": []"#),
            "Fixtures/shopify/dup.json: stepz: unknown top-level key (expected one of name, config, env, now, secrets, vars, given, upstream, upstreamStrict, steps, expect)"
        ),
        (#"{"steps": [{"advance": "1s"}]}"#, "Fixtures/shopify/dup.json: name: required"),
        (#"{"name": "n"}"#, "Fixtures/shopify/dup.json: steps: required"),
        (#"{"name": "n", "steps": []}"#, "Fixtures/shopify/dup.json: steps: expected at least one step"),
        (#"[1]"#, "Fixtures/shopify/dup.json: expected an object, got array"),
        (#"{"name": "n",}"#, "Fixtures/shopify/dup.json:1:14: invalid JSON: expected a string key"),
        (
            document(#""now": "2026-01-01 00:00""#),
            #"Fixtures/shopify/dup.json: now: expected an RFC 3339 timestamp such as "2026-01-01T00:00:00Z", got "2026-01-01 00:00""#
        ),
        (
            document(#""now": "2026-02-30T00:00:00Z""#),
            #"Fixtures/shopify/dup.json: now: expected an RFC 3339 timestamp such as "2026-01-01T00:00:00Z", got "2026-02-30T00:00:00Z""#
        ),
        (
            document(#""now": "2026-01-01T00:00:00""#),
            #"Fixtures/shopify/dup.json: now: expected an RFC 3339 timestamp such as "2026-01-01T00:00:00Z", got "2026-01-01T00:00:00""#
        ),
        (
            document(steps: #"[{"sleep": "1s"}]"#),
            "Fixtures/shopify/dup.json: steps[0].sleep: unknown step kind \"sleep\" (a step is one of request, drainQueues, advance, scheduled, deploy)"
        ),
        (
            document(steps: #"[{}]"#),
            "Fixtures/shopify/dup.json: steps[0]: expected exactly one action key (request, drainQueues, advance, scheduled, deploy), found none"
        ),
        (
            document(steps: #"[{"advance": "1s", "scheduled": "* * * * *"}]"#),
            "Fixtures/shopify/dup.json: steps[0]: expected exactly one action key (request, drainQueues, advance, scheduled, deploy), found advance and scheduled"
        ),
        (
            document(steps: #"[{"advance": "90 s"}]"#),
            #"Fixtures/shopify/dup.json: steps[0].advance: expected a duration: a number and a unit s, m, h or d ("90s", "15m", "2h", "1d"), got "90 s""#
        ),
        (
            document(steps: #"[{"advance": "15min"}]"#),
            #"Fixtures/shopify/dup.json: steps[0].advance: expected a duration: a number and a unit s, m, h or d ("90s", "15m", "2h", "1d"), got "15min""#
        ),
        (document(steps: #"[{"advance": 90}]"#), "Fixtures/shopify/dup.json: steps[0].advance: expected a string, got number"),
        (
            document(steps: #"[{"drainQueues": false}]"#),
            "Fixtures/shopify/dup.json: steps[0].drainQueues: expected true or a non-empty list of queue names, got false"
        ),
        (
            document(steps: #"[{"advance": "1s", "expect": {"status": 200}}]"#),
            "Fixtures/shopify/dup.json: steps[0].expect: only a request step may carry \"expect\""
        ),
        (
            document(steps: #"[{"request": {"path": "/", "body": "a", "json": {}}}]"#),
            #"Fixtures/shopify/dup.json: steps[0].request: expected at most one of "body", "json", "base64", got "body" and "json""#
        ),
        (
            document(steps: #"[{"request": {"path": "x"}}]"#),
            #"Fixtures/shopify/dup.json: steps[0].request.path: expected a path starting with "/", got "x""#
        ),
        (
            document(steps: #"[{"request": {"path": "/", "base64": "!!"}}]"#),
            #"Fixtures/shopify/dup.json: steps[0].request.base64: expected base64 text, got "!!""#
        ),
        (
            document(steps: #"[{"request": {"path": "/"}, "expect": {"status": "200"}}]"#),
            "Fixtures/shopify/dup.json: steps[0].expect.status: expected an integer, got string"
        ),
        (
            document(steps: #"[{"request": {"path": "/"}, "expect": {"stauts": 200}}]"#),
            "Fixtures/shopify/dup.json: steps[0].expect.stauts: unknown key (expected one of status, headers, json, jsonSubset, body, bodyContains)"
        ),
        (
            document(steps: #"[{"request": {"path": "/"}, "expect": {"headers": {"x": 1}}}]"#),
            "Fixtures/shopify/dup.json: steps[0].expect.headers.x: expected a string, got number"
        ),
        (
            document(#""given": {"kv": {"S": [{"key": "k", "value": "a", "json": 1}]}}"#),
            #"Fixtures/shopify/dup.json: given.kv.S[0]: expected exactly one of "value", "json", "base64", got "value" and "json""#
        ),
        (
            document(#""given": {"kv": {"S": [{"key": "k"}]}}"#),
            #"Fixtures/shopify/dup.json: given.kv.S[0]: expected exactly one of "value", "json", "base64", got none"#
        ),
        (
            document(#""given": {"kv": {"S": [{"key": "k", "value": "a", "ttl": 5}]}}"#),
            "Fixtures/shopify/dup.json: given.kv.S[0].ttl: unknown key (expected one of key, value, json, base64, expiration, expirationTtl, metadata)"
        ),
        (document(#""given": {"kvv": {}}"#), "Fixtures/shopify/dup.json: given.kvv: unknown key (expected one of kv, d1, queues, durableObjects)"),
        (document(#""given": {"d1": {"DB": [1]}}"#), "Fixtures/shopify/dup.json: given.d1.DB[0]: expected a string, got number"),
        (
            document(#""given": {"queues": {"Q": [{"body": 1, "contentType": "xml"}]}}"#),
            #"Fixtures/shopify/dup.json: given.queues.Q[0].contentType: expected one of "text", "bytes", "json", "v8", got "xml""#
        ),
        (
            document(#""upstream": [{"request": {"method": "GET", "url": "https://a.test/"}, "response": {}, "times": 0}]"#),
            "Fixtures/shopify/dup.json: upstream[0].times: expected a positive integer or \"any\", got 0"
        ),
        (
            document(#""upstream": [{"request": {"method": "GET", "url": "https://a.test/"}, "response": {}, "times": "many"}]"#),
            "Fixtures/shopify/dup.json: upstream[0].times: expected a positive integer or \"any\", got \"many\""
        ),
        (
            document(#""upstream": [{"request": {"method": "GET", "url": "https://a.test/"}, "response": {}, "times": 1.5}]"#),
            "Fixtures/shopify/dup.json: upstream[0].times: expected a positive integer or \"any\", got 1.5"
        ),
        (
            document(#""upstream": [{"request": {"method": "GET", "url": "/relative"}, "response": {}}]"#),
            #"Fixtures/shopify/dup.json: upstream[0].request.url: expected an absolute http(s) URL, got "/relative""#
        ),
        (
            document(#""upstream": [{"request": {"method": "GET", "url": "https://a.test/", "header": {}}, "response": {}}]"#),
            "Fixtures/shopify/dup.json: upstream[0].request.header: unknown key (expected one of method, url, headers, bodyJson, body)"
        ),
        (
            document(#""upstream": [{"request": {"method": "GET", "url": "https://a.test/"}, "response": {"json": 1, "base64": "AA=="}}]"#),
            #"Fixtures/shopify/dup.json: upstream[0].response: expected at most one of "body", "json", "base64", got "json" and "base64""#
        ),
        (
            document(#""upstream": [{"request": {"method": "GET", "url": "https://a.test/"}, "response": {"error": "dns"}}]"#),
            #"Fixtures/shopify/dup.json: upstream[0].response.error: expected "timeout" or "connection", got "dns""#
        ),
        (
            document(#""upstream": [{"request": {"method": "GET", "url": "https://a.test/"}}]"#),
            "Fixtures/shopify/dup.json: upstream[0].response: required"
        ),
        (
            document(#""upstream": [{"request": {"method": "GET", "url": "https://a.test/"}, "response": {"status": 99}}]"#),
            "Fixtures/shopify/dup.json: upstream[0].response.status: expected an integer from 100 to 599, got 99"
        ),
        (
            document(#""expect": {"kv": {"S": {"k": {"absent": false}}}}"#),
            "Fixtures/shopify/dup.json: expect.kv.S.k.absent: expected true, got false"
        ),
        (
            document(#""expect": {"kv": {"S": {"a b": {"valeu": "x"}}}}"#),
            #"Fixtures/shopify/dup.json: expect.kv.S["a b"].valeu: unknown key (expected one of value, json, jsonSubset, base64, absent)"#
        ),
        (
            document(#""expect": {"d1": [{"db": "DB", "query": "SELECT 1", "rows": [[1]]}]}"#),
            "Fixtures/shopify/dup.json: expect.d1[0].rows[0]: expected an object, got array"
        ),
        (
            document(#""expect": {"queues": {"Q": {"pending": -1}}}"#),
            "Fixtures/shopify/dup.json: expect.queues.Q.pending: expected an integer at least 0, got -1"
        ),
        (
            document(#""expect": {"logsContains": ["x"]}"#),
            "Fixtures/shopify/dup.json: expect.logsContains: unknown key (expected one of kv, d1, queues, durableObjects, upstreamCalls, logsContain, logsNotContain)"
        ),
        (document(#""expect": {"upstreamCalls": 1.5}"#), "Fixtures/shopify/dup.json: expect.upstreamCalls: expected an integer, got 1.5"),
        (document(#""upstreamStrict": "no""#), "Fixtures/shopify/dup.json: upstreamStrict: expected a boolean, got string"),
        (document(#""secrets": {"A": 1}"#), "Fixtures/shopify/dup.json: secrets.A: expected a string, got number"),
    ]

    @Test(arguments: malformed)
    func reportsTheFileAndJSONPath(text: String, expected: String) {
        #expect(Self.issues(text) == [expected])
    }

    @Test func reportsEveryProblemBeforeRunning() {
        let text = Self.document(#""now": "yesterday", "bogus": 1"#, steps: #"[{"advance": "soon"}, {"request": {"method": 1, "path": "/"}}]"#)
        #expect(
            Self.issues(text) == [
                "Fixtures/shopify/dup.json: bogus: unknown top-level key (expected one of name, config, env, now, secrets, vars, given, upstream, upstreamStrict, steps, expect)",
                #"Fixtures/shopify/dup.json: now: expected an RFC 3339 timestamp such as "2026-01-01T00:00:00Z", got "yesterday""#,
                #"Fixtures/shopify/dup.json: steps[0].advance: expected a duration: a number and a unit s, m, h or d ("90s", "15m", "2h", "1d"), got "soon""#,
                "Fixtures/shopify/dup.json: steps[1].request.method: expected a string, got number",
            ]
        )
    }

    @Test func loadNamesAnUnreadableFile() {
        #expect(throws: ReplayError.self) { try Fixture.load(path: "/nonexistent/\(UUID().uuidString).json") }
        do {
            _ = try Fixture.load(path: "/nonexistent/x.json")
        } catch {
            #expect(error.code == .unreadableFile)
            #expect(error.message.hasPrefix("/nonexistent/x.json: "))
        }
    }

    static let timestamps: [(String, Double?)] = [
        ("2026-01-01T00:00:00Z", 1_767_225_600),
        ("2026-01-01t00:00:00z", 1_767_225_600),
        ("2026-01-01T02:00:00+02:00", 1_767_225_600),
        ("2025-12-31T19:00:00-05:00", 1_767_225_600),
        ("2024-02-29T00:00:00.25Z", 1_709_164_800.25),
        ("1970-01-01T00:00:00Z", 0),
        ("2025-02-29T00:00:00Z", nil),
        ("2026-13-01T00:00:00Z", nil),
        ("2026-01-01T24:00:00Z", nil),
        ("2026-01-01T00:00:00.Z", nil),
        ("2026-01-01T00:00:00+0200", nil),
        ("2026-01-01", nil),
        ("", nil),
    ]

    @Test(arguments: timestamps)
    func rfc3339(text: String, seconds: Double?) {
        #expect(FixtureTime.parseTimestamp(text)?.timeIntervalSince1970 == seconds)
    }

    static let durations: [(String, Double?)] = [
        ("90s", 90), ("15m", 900), ("2h", 7200), ("1d", 86_400), ("0s", 0), ("1.5h", 5400),
        ("s", nil), ("-1s", nil), ("1e3s", nil), ("1w", nil), ("1h30m", nil), (".5s", nil), ("5.s", nil), ("nans", nil),
    ]

    @Test(arguments: durations)
    func durationStrings(text: String, seconds: Double?) {
        #expect(FixtureTime.parseDuration(text) == seconds)
    }
}
