import Drover
import Foundation
import Testing

@testable import DroverReplay

@Suite("Fixture recording")
struct FixtureRecorderTests {
    static let secret = "whsec_s3cr3t"
    static let apiKey = "sk_live_abc"

    static func record() -> JSONValue {
        let request = RecordedMessage.request(
            method: "POST",
            target: "/webhooks/shopify?shop=a",
            headers: [
                "Host": "localhost:8787", "Content-Type": "application/json", "X-Shopify-Hmac-Sha256": "sig", "X-Echo": "key=\(apiKey)",
                "Content-Length": "30",
            ],
            body: Array(#"{"id": 1, "note": "\#(secret)"}"#.utf8)
        )
        let response = RecordedMessage.response(
            status: 200,
            headers: ["content-type": "application/json", "x-request-id": "r1"],
            body: Array(#"{"ok":true}"#.utf8)
        )
        let exchanges = [
            RecordedExchange(
                request: .request(
                    method: "POST",
                    target: "https://api.mail.test/v1/send?key=\(apiKey)",
                    headers: ["Authorization": "Bearer \(apiKey)", "Idempotency-Key": "idem-1", "User-Agent": "drover"],
                    body: Array(#"{"to": "a@example.test", "auth": "\#(apiKey)"}"#.utf8)
                ),
                outcome: .response(
                    .response(
                        status: 202,
                        headers: ["Content-Type": "application/json", "Content-Length": "13", "Connection": "close"],
                        body: Array(#"{"id": "m_1"}"#.utf8)
                    )
                )
            ),
            RecordedExchange(
                request: .request(method: "GET", target: "https://api.slow.test/", headers: Headers(), body: []),
                outcome: .failure(.timeout)
            ),
            RecordedExchange(
                request: .request(method: "GET", target: "https://api.down.test/", headers: Headers(), body: []),
                outcome: .failure(.dns)
            ),
        ]
        return FixtureRecorder(matchedRequestHeaders: ["idempotency-key"]).fixture(
            request: request,
            response: response,
            exchanges: exchanges,
            secretsRead: ["SHOPIFY_SECRET", "MAIL_KEY", "SHOPIFY_SECRET"],
            secretValues: ["SHOPIFY_SECRET": secret, "MAIL_KEY": apiKey, "UNUSED": "never-seen"],
            time: Date(timeIntervalSince1970: 1_767_225_600.25)
        )
    }

    @Test func buildsAFixtureThatValidatesAndRedactsEverySecret() throws {
        let fixture = Self.record()
        let text = JSONSerializer.prettyString(fixture)
        #expect(!text.contains(Self.secret))
        #expect(!text.contains(Self.apiKey))
        #expect(!text.contains("never-seen"))
        #expect(fixture["secrets"] == ["SHOPIFY_SECRET": "${SHOPIFY_SECRET}", "MAIL_KEY": "${MAIL_KEY}"])
        #expect(fixture["now"] == "2026-01-01T00:00:00.250Z")
        #expect(fixture["name"] == "POST /webhooks/shopify?shop=a")
        // Valid per the fixture format (Docs/fixtures.md).
        let parsed = try Fixture.parse(document: fixture, file: "rec/0001.json")
        #expect(parsed.steps.count == 1)
        #expect(parsed.upstream.count == 3)
    }

    @Test func theRequestBecomesAStepWithTheResponseAsExpect() throws {
        let step = try #require(Self.record()["steps"]?[0])
        // A secret inside a header value and inside the request body.
        #expect(
            step["request"]
                == [
                    "method": "POST", "path": "/webhooks/shopify?shop=a",
                    "headers": ["content-type": "application/json", "x-shopify-hmac-sha256": "sig", "x-echo": "key=${MAIL_KEY}"],
                    "body": #"{"id": 1, "note": "${SHOPIFY_SECRET}"}"#,
                ]
        )
        // Not compact JSON: kept as text byte for byte (a webhook signature covers the raw bytes).
        #expect(step["expect"] == ["status": 200, "headers": ["content-type": "application/json"], "json": ["ok": true]])
    }

    @Test func outboundCallsBecomeUpstreamEntries() throws {
        let upstream = try #require(Self.record()["upstream"]?.arrayValue)
        // Only the headers named for matching are kept; the secret in the URL and the JSON body is redacted.
        #expect(
            upstream[0]
                == [
                    "request": [
                        "method": "POST", "url": "https://api.mail.test/v1/send?key=${MAIL_KEY}", "headers": ["idempotency-key": "idem-1"],
                        "bodyJson": ["to": "a@example.test", "auth": "${MAIL_KEY}"],
                    ],
                    "response": ["status": 202, "headers": ["content-type": "application/json"], "json": ["id": "m_1"]],
                ]
        )
        #expect(upstream[1]["response"] == ["error": "timeout"])
        #expect(upstream[2]["response"] == ["error": "connection"])
    }

    @Test func aRecordedFixtureReplaysOnceItsPlaceholdersResolve() async throws {
        let fixture = try Fixture.parse(document: Self.record(), file: "rec/0001.json")
        let resolver = SecretPlaceholderResolver(
            devVars: ["SHOPIFY_SECRET": Self.secret],
            environment: ["MAIL_KEY": Self.apiKey, "SHOPIFY_SECRET": "ignored"]
        )
        let resolved = try resolver.resolve(fixture)
        #expect(resolved.secretValues == ["SHOPIFY_SECRET": Self.secret, "MAIL_KEY": Self.apiKey])
        guard case .request(let request, _) = resolved.steps[0].action else {
            Issue.record("not a request step")
            return
        }
        #expect(request.body == Array(#"{"id": 1, "note": "\#(Self.secret)"}"#.utf8))
        // The upstream entry matches the real call again.
        let fetcher = UpstreamReplayFetcher(entries: resolved.upstream, clock: ManualWallClock(resolved.now))
        let response = try await fetcher.fetch(
            "https://api.mail.test/v1/send?key=\(Self.apiKey)",
            method: "POST",
            headers: ["idempotency-key": "idem-1"],
            body: Body(text: #"{"to":"a@example.test","auth":"\#(Self.apiKey)"}"#)
        )
        #expect(response.status == 202)
        // The written document keeps its placeholders.
        #expect(resolved.source["secrets"] == ["SHOPIFY_SECRET": "${SHOPIFY_SECRET}", "MAIL_KEY": "${MAIL_KEY}"])
    }

    @Test func anUnresolvedPlaceholderNamesIt() throws {
        let fixture = try Fixture.parse(document: Self.record(), file: "rec/0001.json")
        do {
            _ = try SecretPlaceholderResolver(devVars: ["SHOPIFY_SECRET": "x"], environment: [:]).resolve(fixture)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .unresolvedSecret)
            #expect(
                error.message
                    == "rec/0001.json: secrets.MAIL_KEY: ${MAIL_KEY} is not set: add MAIL_KEY to .dev.vars beside the config or set it in the environment"
            )
        }
    }

    @Test func placeholderSubstitution() {
        let values = ["A": "1", "B_2": "two"]
        #expect(SecretPlaceholderResolver.substitute(in: "x${A}y${B_2}z${C}${", lookup: { values[$0] }) == "x1ytwoz${C}${")
        #expect(SecretPlaceholderResolver.substitute(in: "${9A} ${ A}", lookup: { _ in "!" }) == "${9A} ${ A}")
    }

    @Test func placeholdersAreFoundByBytesThoughACombiningMarkFollows() {
        // "}" + U+0301 is one Character: a search for the Character "}" misses the closing brace.
        let resolved = SecretPlaceholderResolver.substitute(in: "a${A}\u{301}b", lookup: { $0 == "A" ? "x" : nil })
        #expect(resolved == "ax\u{301}b")
    }

    @Test func placeholdersInsideABase64ValueResolveInItsDecodedBytes() throws {
        let body: [UInt8] = [0xFF, 0x00] + Array("${TOKEN}".utf8) + [0xFE]
        let document: JSONValue = [
            "name": "binary", "secrets": ["TOKEN": "${TOKEN}"],
            "steps": [["request": ["method": "POST", "path": "/", "base64": .string(Data(body).base64EncodedString())]]],
        ]
        let fixture = try Fixture.parse(document: document, file: "rec/0001.json")
        let resolved = try SecretPlaceholderResolver(devVars: ["TOKEN": "tok_\u{e9}"], environment: [:]).resolve(fixture)
        guard case .request(let request, _) = resolved.steps[0].action else {
            Issue.record("not a request step")
            return
        }
        #expect(request.body == [0xFF, 0x00] + Array("tok_\u{e9}".utf8) + [0xFE])
    }

    @Test func redactorReplacesLongestSecretsFirst() {
        let redactor = SecretRedactor(secrets: ["SHORT": "abc", "LONG": "abcdef", "EMPTY": ""])
        #expect(redactor.redact("abcdef abc") == "${LONG} ${SHORT}")
        #expect(redactor.redact(["abc": ["k": "xabcdefx"]]) == ["${SHORT}": ["k": "x${LONG}x"]])
    }

    @Test(arguments: [
        (1, "POST", "/webhooks/shopify?x=1", "0001-post-webhooks-shopify.json"),
        (12, "GET", "/", "0012-get-root.json"),
        (12345, "DELETE", "/kv/a%20b/C", "12345-delete-kv-a-20b-c.json"),
    ])
    func fileNames(sequence: Int, method: String, target: String, expected: String) {
        #expect(FixtureRecorder.fileName(sequence: sequence, method: method, target: target) == expected)
    }

    @Test func writesIntoTheRecordFolder() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("record-\(UUID().uuidString)").appendingPathComponent("nested")
            .path
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        let path = try FixtureRecorder.write(Self.record(), directory: directory, fileName: "0001-post-webhooks-shopify.json")
        let loaded = try Fixture.load(path: path)
        #expect(loaded.name == "POST /webhooks/shopify?shop=a")
    }
}
