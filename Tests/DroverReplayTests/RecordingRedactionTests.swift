import Drover
import DroverConfig
import DroverReplay
import DroverRuntime
import Foundation
import Testing

/// `drover dev --record DIR` and `drover replay --update` never write a secret value, in any
/// encoding, anywhere: not in a path, a query, a header, a body (JSON-escaped, not UTF-8, followed
/// by a combining mark), nor in a fixture's file name. Each test records through the dev server's
/// `RequestRecorder` and `RecordedRequestWriter` in-process, scans the written file's bytes for
/// every form of the secret, then replays the fixture.
@Suite("Secret redaction in recordings")
struct RecordingRedactionTests {
    /// A `/`, a non-ASCII letter and a space: written differently by a URL, a form and JSON.
    static let secret = "s3cr3t/Tök en"
    static let otherSecret = "other-Secret-V4lue"

    /// Reports what it found of the secret where each test put it, so a replay that passes shows
    /// the placeholder was resolved back to the same bytes.
    struct RedactionTestWorker: Worker {
        func fetch(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
            let secret = try env.secret("TOKEN")
            let secretBytes = Array(secret.utf8)
            switch (request.method, request.path) {
            case ("GET", let path) where path.hasPrefix("/hook/"):
                let fromPath = PercentEncoding.decode(path.dropFirst("/hook/".count))
                return .json(["pathMatches": .bool(fromPath == secret), "queryMatches": .bool(request.query["token"] == secret)])
            case ("POST", "/binary"):
                let body = try await request.bytes()
                let answer = try await env.fetch.fetch("https://upstream.test/blob", method: "POST", body: Body(bytes: body))
                let echoed = try await answer.body.bytes()
                return .json([
                    "length": .integer(Int64(body.count)), "bodyHasSecret": .bool(Self.contains(body, secretBytes)),
                    "upstreamHasSecret": .bool(Self.contains(echoed, secretBytes)),
                ])
            case ("POST", "/json"):
                let token = try await request.json()["token"]?.stringValue
                let answer = try await env.fetch.fetch("https://upstream.test/json")
                let echoed = try await answer.json()["echo"]?.stringValue
                return .json(["tokenMatches": .bool(token == secret), "upstreamMatches": .bool(echoed == secret)])
            case ("POST", "/text"):
                let body = try await request.bytes()
                let echo = "echo: " + String(decoding: body, as: UTF8.self) + "\nhas secret: \(Self.contains(body, secretBytes))"
                return Response(echo, headers: ["content-type": "text/plain"])
            case ("GET", "/leak"):
                // The secret escaped three ways, as an upstream API or a careless handler might send it.
                let body = #"{"token": "s3cr3t\/T\u00f6k en", "marked": "\#(secret)\#u{301}"}"#
                return Response(
                    body,
                    headers: ["content-type": "application/json", "x-token": "Bearer " + secret, "x-token-encoded": PercentEncoding.encode(secret)]
                )
            case ("GET", "/leak-binary"):
                return Response(status: 200, headers: ["content-type": "application/octet-stream"], body: Body(bytes: [0xFF] + secretBytes + [0xFE]))
            default:
                return .error("not found", status: 404)
            }
        }

        static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
            guard needle.count <= haystack.count else { return false }
            return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
        }
    }

    /// The upstream while recording: `/blob` echoes the body's bytes, `/json` answers the secret
    /// JSON-escaped (`\/`, `\u00F6`) and sets a session cookie.
    struct RecordingUpstream: Fetcher {
        func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
            if request.path == "/blob" {
                return Response(status: 200, headers: ["content-type": "application/octet-stream"], body: Body(bytes: try await request.bytes()))
            }
            return Response(
                #"{"echo":"s3cr3t\/T\u00F6k en"}"#,
                headers: ["content-type": "application/json", "set-cookie": "upstream_session=u-1234567; HttpOnly"]
            )
        }
    }

    static var registry: WorkerRegistry {
        var registry = WorkerRegistry()
        registry.register("redaction-test", RedactionTestWorker())
        return registry
    }

    /// A project folder with the config (and, when given, a `.dev.vars`); removed by the caller.
    static func makeProject(devVars: String? = nil) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("drover-redaction-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let config = """
            name = "redaction-test"
            main = "redaction-test"
            compatibility_date = "2026-01-01"

            """
        try config.write(toFile: root + "/wrangler-like.toml", atomically: true, encoding: .utf8)
        if let devVars { try devVars.write(toFile: root + "/.dev.vars", atomically: true, encoding: .utf8) }
        return root
    }

    /// Serves `requests` as `drover dev --record ROOT/rec` does and returns the written files' paths.
    static func record(_ requests: [Request], root: String, recorder: FixtureRecorder = FixtureRecorder()) async throws -> [String] {
        let logger = Logger(label: "drover", level: .info, sink: MemoryLogSink())
        let loaded = try ConfigLoader.load(configPath: root + "/wrangler-like.toml", stateDirectory: nil)
        var options = RuntimeOptions(
            stateDirectory: root + "/.drover/state",
            clock: ManualWallClock(Date(timeIntervalSince1970: 1_767_225_600)),
            fetcher: RecordingUpstream(),
            logger: logger
        )
        options.secrets = ["TOKEN": secret, "OTHER": otherSecret]
        let runtime = try await WorkerRuntime(config: loaded.config, registry: registry, options: options)
        let directory = root + "/rec"
        let writer = try RecordedRequestWriter(directory: directory, logger: logger, recorder: recorder)
        let requestRecorder = RequestRecorder { recorded in writer.write(recorded) }
        for request in requests { _ = await requestRecorder.serve(request, runtime: runtime) }
        await requestRecorder.finish()
        await runtime.shutdown()
        return try FileManager.default.contentsOfDirectory(atPath: directory).sorted().map { directory + "/" + $0 }
    }

    /// Replays every fixture under `path`; `${NAME}` placeholders resolve from `environment` (and
    /// from `.dev.vars` beside the config, first, when there is one).
    static func replay(
        _ path: String,
        root: String,
        update: Bool = false,
        environment: [String: String] = ["TOKEN": secret]
    ) async throws -> [FixtureResult] {
        let runner = FixtureRunner(projectRoot: root, registry: registry, update: update, environment: environment)
        return try await ReplayRun(paths: [path], runner: runner).run()
    }

    static func expectNoLeak(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for value in [secret, otherSecret] {
            let leaks = SecretLeakScan.leaks(of: value, inFileAt: path)
            #expect(leaks.isEmpty, "\(path) holds the secret: \(leaks)", sourceLocation: sourceLocation)
        }
    }

    static func expectPasses(_ results: [FixtureResult], count: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(results.count == count, sourceLocation: sourceLocation)
        for result in results {
            #expect(
                result.failures.isEmpty && result.errors.isEmpty,
                "\(result.file): \(result.failures) \(result.errors)",
                sourceLocation: sourceLocation
            )
        }
    }

    static func document(_ path: String) throws -> JSONValue {
        try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    @Test func aPercentEncodedSecretInThePathAndQueryIsRedactedAndTheFileNamedFromTheRedactedPath() async throws {
        let root = try Self.makeProject()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // Upper-case hex in the path, lower-case hex and `+` for the space in the query.
        let target = "/hook/s3cr3t%2FT%C3%B6k%20en?token=s3cr3t%2fT%c3%b6k+en"
        let files = try await Self.record([Request(method: "GET", target: target)], root: root)

        let file = try #require(files.first)
        #expect((file as NSString).lastPathComponent == "0001-get-hook-token.json")
        Self.expectNoLeak(file)
        let fixture = try Self.document(file)
        #expect(fixture["name"] == "GET /hook/${TOKEN}?token=${TOKEN}")
        #expect(fixture["steps"]?[0]?["request"]?["path"] == "/hook/${TOKEN}?token=${TOKEN}")
        #expect(fixture["secrets"] == ["TOKEN": "${TOKEN}"])
        #expect(fixture["steps"]?[0]?["expect"]?["json"] == ["pathMatches": true, "queryMatches": true])
        // Replay puts the raw value where the encoded one was: the same path and query once decoded.
        Self.expectPasses(try await Self.replay(root + "/rec", root: root), count: 1)
    }

    @Test(arguments: 0..<3)
    func aSecretInsideABodyThatIsNotUTF8IsRedactedBeforeBase64(alignment: Int) async throws {
        let root = try Self.makeProject()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // Not UTF-8 (0xFF); the secret starts at byte 3 + alignment, so at `alignment` within its base64 group.
        let body: [UInt8] = [0xFF, 0xFE, 0x00] + [UInt8](repeating: 0x07, count: alignment) + Array(Self.secret.utf8) + [0x00, 0xC3]
        let files = try await Self.record([Request(method: "POST", target: "/binary", body: Body(bytes: body))], root: root)

        let file = try #require(files.first)
        Self.expectNoLeak(file)
        let fixture = try Self.document(file)
        // The placeholder is the ASCII bytes of `${TOKEN}` inside the body, which stays base64.
        let placeholderBody: [UInt8] = [0xFF, 0xFE, 0x00] + [UInt8](repeating: 0x07, count: alignment) + Array("${TOKEN}".utf8) + [0x00, 0xC3]
        #expect(fixture["steps"]?[0]?["request"]?["base64"] == .string(Data(placeholderBody).base64EncodedString()))
        #expect(fixture["upstream"]?[0]?["response"]?["base64"] == .string(Data(placeholderBody).base64EncodedString()))
        #expect(fixture["secrets"] == ["TOKEN": "${TOKEN}"])
        #expect(
            fixture["steps"]?[0]?["expect"]?["json"]
                == ["length": .integer(Int64(body.count)), "bodyHasSecret": true, "upstreamHasSecret": true]
        )
        // Replay resolves the placeholder inside the decoded bytes: the worker gets the secret's bytes back.
        Self.expectPasses(try await Self.replay(root + "/rec", root: root), count: 1)
    }

    @Test func aJSONEscapedSecretInATextBodyIsRedacted() async throws {
        let root = try Self.makeProject()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // Not compact JSON, so the request body is kept as text, escapes and all.
        let body = #"{"token": "s3cr3t\/T\u00f6k en", "n": 1}"#
        let request = Request(method: "POST", target: "/json", headers: ["content-type": "application/json"], body: Body(text: body))
        let files = try await Self.record([request], root: root)

        let file = try #require(files.first)
        Self.expectNoLeak(file)
        let fixture = try Self.document(file)
        #expect(fixture["steps"]?[0]?["request"]?["body"] == #"{"token": "${TOKEN}", "n": 1}"#)
        #expect(fixture["upstream"]?[0]?["response"]?["json"] == ["echo": "${TOKEN}"])
        #expect(fixture["steps"]?[0]?["expect"]?["json"] == ["tokenMatches": true, "upstreamMatches": true])
        Self.expectPasses(try await Self.replay(root + "/rec", root: root), count: 1)
    }

    @Test func aSecretFollowedByACombiningMarkIsRedacted() async throws {
        let root = try Self.makeProject()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // "…en" + U+0301 ends in the character "ń": a `String` search does not find the secret.
        let body = "key=" + Self.secret + "\u{301}&more"
        let files = try await Self.record([Request(method: "POST", target: "/text", body: Body(text: body))], root: root)

        let file = try #require(files.first)
        Self.expectNoLeak(file)
        let fixture = try Self.document(file)
        #expect(fixture["steps"]?[0]?["request"]?["body"] == .string("key=${TOKEN}\u{301}&more"))
        #expect(fixture["steps"]?[0]?["expect"]?["body"] == .string("echo: key=${TOKEN}\u{301}&more\nhas secret: true"))
        // The placeholder is resolved though a combining mark follows its closing brace.
        Self.expectPasses(try await Self.replay(root + "/rec", root: root), count: 1)
    }

    @Test func credentialHeadersAreLeftOutUnlessAskedFor() async throws {
        let root = try Self.makeProject()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let headers: Headers = [
            "Authorization": "Bearer user-token-abcdef", "Proxy-Authorization": "Basic cHJveHk6cGFzcw==",
            "Cookie": "sid=session-123456; theme=dark", "X-Api-Key": Self.secret,
        ]
        let request = Request(method: "POST", target: "/json", headers: headers, body: Body(text: #"{"token": "x"}"#))

        let dropped = try #require(try await Self.record([request], root: root).first)
        let text = try String(contentsOfFile: dropped, encoding: .utf8)
        for credential in ["user-token-abcdef", "cHJveHk6cGFzcw==", "session-123456", "u-1234567"] {
            #expect(!text.contains(credential), "\(credential) was recorded")
        }
        let fixture = try Self.document(dropped)
        #expect(fixture["steps"]?[0]?["request"]?["headers"] == ["x-api-key": "${TOKEN}"])
        #expect(fixture["upstream"]?[0]?["response"]?["headers"] == ["content-type": "application/json"])
        Self.expectNoLeak(dropped)

        // --record-sensitive-headers keeps them, secret values still redacted.
        try FileManager.default.removeItem(atPath: root + "/rec")
        let keeping = FixtureRecorder(keepsSensitiveHeaders: true)
        var withSecret = request
        withSecret.headers.set("Authorization", "Bearer " + Self.secret)
        let kept = try #require(try await Self.record([withSecret], root: root, recorder: keeping).first)
        let keptFixture = try Self.document(kept)
        #expect(
            keptFixture["steps"]?[0]?["request"]?["headers"]
                == [
                    "authorization": "Bearer ${TOKEN}", "proxy-authorization": "Basic cHJveHk6cGFzcw==",
                    "cookie": "sid=session-123456; theme=dark", "x-api-key": "${TOKEN}",
                ]
        )
        #expect(keptFixture["upstream"]?[0]?["response"]?["headers"]?["set-cookie"] == "upstream_session=u-1234567; HttpOnly")
        Self.expectNoLeak(kept)
        Self.expectPasses(try await Self.replay(root + "/rec", root: root), count: 1)
    }

    @Test func updateRedactsEverySecretTheRunHadAndTheFixtureStillPasses() async throws {
        // No `secrets` in the fixture: the run's bindings come from `.dev.vars`.
        let root = try Self.makeProject(devVars: "TOKEN=\"\(Self.secret)\"\nOTHER=\(Self.otherSecret)\n")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/Fixtures", withIntermediateDirectories: true)
        let path = root + "/Fixtures/leak.json"
        let original = """
            {"name": "leak",
             "steps": [
               {"request": {"method": "GET", "path": "/leak"},
                "expect": {"status": 200, "headers": {"x-token": "old"}, "json": {"token": "old"}}},
               {"request": {"method": "GET", "path": "/leak-binary"}, "expect": {"body": "old"}}
             ]}
            """
        try original.write(toFile: path, atomically: true, encoding: .utf8)

        let first = try await Self.replay(path, root: root, update: true, environment: [:])
        #expect(first.first?.failures.isEmpty == false, "the stale expect fails before the update")
        Self.expectNoLeak(path)
        let updated = try Self.document(path)
        // The JSON-escaped value, the one followed by a combining mark, and the bytes inside a body
        // that is not UTF-8 all became the placeholder.
        #expect(updated["steps"]?[0]?["expect"]?["json"] == ["token": "${TOKEN}", "marked": .string("${TOKEN}\u{301}")])
        #expect(updated["steps"]?[0]?["expect"]?["headers"] == ["x-token": "Bearer ${TOKEN}"])
        #expect(updated["steps"]?[1]?["expect"]?["body"] == .string("\u{FFFD}${TOKEN}\u{FFFD}"))
        // Placeholders resolve only for names in `secrets`: every binding of the run is listed, so
        // the next run binds the same values, from the same `.dev.vars`.
        #expect(updated["secrets"] == ["OTHER": "${OTHER}", "TOKEN": "${TOKEN}"])
        #expect(updated.objectValue?.keys == ["name", "secrets", "steps"])

        Self.expectPasses(try await Self.replay(path, root: root, environment: [:]), count: 1)
    }

    @Test func updateRedactsAPercentEncodedSecretThoughItCannotRoundTrip() async throws {
        let root = try Self.makeProject()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/Fixtures", withIntermediateDirectories: true)
        let path = root + "/Fixtures/encoded.json"
        let original = """
            {"name": "encoded", "secrets": {"TOKEN": "${TOKEN}"},
             "steps": [{"request": {"method": "GET", "path": "/leak"}, "expect": {"headers": {"x-token-encoded": "old"}}}]}
            """
        try original.write(toFile: path, atomically: true, encoding: .utf8)

        _ = try await Self.replay(path, root: root, update: true)
        Self.expectNoLeak(path)
        #expect(try Self.document(path)["steps"]?[0]?["expect"]?["headers"] == ["x-token-encoded": "${TOKEN}"])
        // Documented loss: `${TOKEN}` stands for the value, so replay expects it unencoded.
        let again = try await Self.replay(path, root: root)
        #expect(again.first?.failures.map(\.path) == ["steps[0].expect.headers.x-token-encoded"])
    }
}
