import Drover
import Foundation
import Testing

@testable import DroverReplay

@Suite("Fixture --update")
struct FixtureUpdaterTests {
    static let original = #"""
        {"name": "orders",
         "upstream": [{"request": {"method": "GET", "url": "https://api.test/o"}, "response": {"json": {"v": 1}}}],
         "steps": [
           {"request": {"method": "GET", "path": "/a"}, "expect": {"status": 200, "json": {"ok": true}}},
           {"request": {"method": "GET", "path": "/b"}, "expect": {"status": 200, "headers": {"Content-Type": "text/plain", "x-gone": "1"}, "jsonSubset": {"user": {"id": 1}, "list": [{"n": 1}]}, "bodyContains": "zzz"}},
           {"request": {"method": "GET", "path": "/c"}, "expect": {"status": 404}},
           {"request": {"method": "GET", "path": "/d"}, "expect": {"json": {"a": 1}, "body": "x"}},
           {"advance": "1s"}
         ],
         "expect": {"upstreamCalls": 1}}
        """#

    static func json(_ value: JSONValue) -> ActualResponseBuilder {
        ActualResponseBuilder(body: JSONSerializer.bytes(value), contentType: "application/json")
    }

    struct ActualResponseBuilder {
        var body: [UInt8]
        var contentType: String
        func response(_ status: Int) -> FixtureUpdater.ActualResponse {
            FixtureUpdater.ActualResponse(status: status, headers: ["content-type": contentType, "x-new": "n"], body: body)
        }
    }

    @Test func rewritesOnlyTheFailingStepsExpectKeepingTheAuthorsKeys() throws {
        let source = try JSONParser.parse(Self.original)
        let actualB = Self.json(["user": ["id": 2, "name": "b"], "list": [["n": 5, "m": 0]], "extra": true]).response(201)
        let actualC = ActualResponseBuilder(body: Array("<h1>gone</h1>".utf8), contentType: "text/html").response(410)
        let updated = FixtureUpdater.updated(source, responses: [1: actualB, 2: actualC, 4: actualC])
        let steps = try #require(updated["steps"]?.arrayValue)
        // Step 0 did not fail: untouched.
        #expect(steps[0] == source["steps"]?[0])
        // Step 1: status updated, listed headers updated (missing ones dropped), jsonSubset projected
        // onto the actual JSON, a bodyContains that no longer holds replaced by json.
        #expect(
            steps[1]["expect"]
                == [
                    "status": 201, "headers": ["Content-Type": "application/json"], "jsonSubset": ["user": ["id": 2], "list": [["n": 5]]],
                    "json": ["user": ["id": 2, "name": "b"], "list": [["n": 5, "m": 0]], "extra": true],
                ]
        )
        #expect(steps[1]["expect"]?.objectValue?.keys == ["status", "headers", "jsonSubset", "json"])
        // Step 2 checked only status: only status changes.
        #expect(steps[2]["expect"] == ["status": 410])
        // The advance step (index 4) has no expect and is left alone; so is everything else.
        #expect(steps[4] == ["advance": "1s"])
        #expect(updated["upstream"] == source["upstream"])
        #expect(updated["expect"] == source["expect"])
        #expect(updated.objectValue?.keys == source.objectValue?.keys)
    }

    @Test func jsonOnANonJSONBodyBecomesBody() throws {
        let source = try JSONParser.parse(Self.original)
        let text = ActualResponseBuilder(body: Array("plain".utf8), contentType: "text/plain").response(200)
        let updated = FixtureUpdater.updated(source, responses: [3: text])
        #expect(updated["steps"]?[3]?["expect"] == ["body": "plain"])
    }

    @Test func writesTheFileBackPrettyPrintedWithSecretsRedacted() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("update-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("f.json").path
        let original =
            #"{"name": "n", "secrets": {"TOKEN": "${TOKEN}"}, "steps": [{"request": {"path": "/", "headers": {"x-token": "${TOKEN}"}}, "expect": {"status": 200, "json": {"ok": true}}}]}"#
        try Data(original.utf8).write(to: URL(fileURLWithPath: path))
        let fixture = try SecretPlaceholderResolver(devVars: ["TOKEN": "tok_live_123"], environment: [:]).resolve(try Fixture.load(path: path))
        let actual = FixtureUpdater.ActualResponse(status: 401, headers: Headers(), body: Array(#"{"error":"bad token tok_live_123"}"#.utf8))
        #expect(try FixtureUpdater.update(fixture, responses: [0: actual]))
        let written = try String(contentsOfFile: path, encoding: .utf8)
        #expect(
            written == """
                {
                  "name": "n",
                  "secrets": {
                    "TOKEN": "${TOKEN}"
                  },
                  "steps": [
                    {
                      "request": {
                        "path": "/",
                        "headers": {
                          "x-token": "${TOKEN}"
                        }
                      },
                      "expect": {
                        "status": 401,
                        "json": {
                          "error": "bad token ${TOKEN}"
                        }
                      }
                    }
                  ]
                }

                """
        )
        #expect(!written.contains("tok_live_123"))
        // Nothing changes: the file is not rewritten.
        let reloaded = try SecretPlaceholderResolver(devVars: ["TOKEN": "tok_live_123"], environment: [:]).resolve(try Fixture.load(path: path))
        #expect(try !FixtureUpdater.update(reloaded, responses: [0: actual]))
    }

    @Test func secretsIsAddedOnlyWhenAPlaceholderIsWritten() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("update-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("f.json").path
        try Data(#"{"name": "n", "steps": [{"request": {"path": "/"}, "expect": {"status": 200}}]}"#.utf8).write(to: URL(fileURLWithPath: path))
        let fixture = try Fixture.load(path: path)
        // The body holds the secret, but only `status` is checked: no placeholder is written.
        let actual = FixtureUpdater.ActualResponse(status: 201, headers: Headers(), body: Array(#"{"token":"tok_live_123"}"#.utf8))
        #expect(try FixtureUpdater.update(fixture, responses: [0: actual], secrets: [("TOKEN", "tok_live_123")]))
        let written = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(written["secrets"] == nil)
        #expect(written["steps"]?[0]?["expect"] == ["status": 201])
    }
}
