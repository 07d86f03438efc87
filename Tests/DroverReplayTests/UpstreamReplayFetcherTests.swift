import Drover
import Foundation
import Testing

@testable import DroverReplay

@Suite("Upstream replay")
struct UpstreamReplayFetcherTests {
    /// A fetcher over the `upstream` list written as JSON, with its clock.
    static func make(_ upstream: String) throws -> (UpstreamReplayFetcher, ManualWallClock) {
        let text = #"{"name": "n", "steps": [{"advance": "1s"}], "upstream": \#(upstream)}"#
        let fixture = try Fixture.parse(bytes: Array(text.utf8), file: "f.json")
        let clock = ManualWallClock(fixture.now)
        return (UpstreamReplayFetcher(entries: fixture.upstream, clock: clock), clock)
    }

    @Test func answersTheFirstMatchingEntryAndUsesItUp() async throws {
        let (fetcher, _) = try Self.make(
            #"""
            [{"request": {"method": "GET", "url": "https://api.test/a?x=1"}, "response": {"status": 200, "body": "first"}},
             {"request": {"method": "GET", "url": "https://api.test/a?x=1"}, "response": {"status": 201, "body": "second"}, "times": 2}]
            """#
        )
        var bodies: [String] = []
        for _ in 0..<3 {
            let response = try await fetcher.fetch("https://api.test/a?x=1")
            bodies.append("\(response.status) \(try await response.text())")
        }
        #expect(bodies == ["200 first", "201 second", "201 second"])
        await #expect(throws: FetchError.self) { try await fetcher.fetch("https://api.test/a?x=1") }
        #expect(fetcher.callCount == 4)
        #expect(fetcher.unmatchedCalls.count == 1)
        #expect(fetcher.unusedEntries().isEmpty)
    }

    @Test func anyIsNeverUsedUpAndNeverUnused() async throws {
        let (fetcher, _) = try Self.make(#"[{"request": {"method": "GET", "url": "https://api.test/"}, "response": {}, "times": "any"}]"#)
        #expect(fetcher.unusedEntries().isEmpty)
        for _ in 0..<5 { #expect(try await fetcher.fetch("https://api.test/").status == 200) }
        #expect(fetcher.unmatchedCalls.isEmpty)
    }

    @Test func methodAndURLMustMatchExactlyQueryIncluded() async throws {
        let (fetcher, _) = try Self.make(#"[{"request": {"method": "POST", "url": "https://api.test/a?x=1"}, "response": {}, "times": "any"}]"#)
        await #expect(throws: FetchError.self) { try await fetcher.fetch("https://api.test/a?x=2", method: "POST") }
        await #expect(throws: FetchError.self) { try await fetcher.fetch("https://api.test/a", method: "POST") }
        await #expect(throws: FetchError.self) { try await fetcher.fetch("https://api.test/a?x=1", method: "PUT") }
        #expect(try await fetcher.fetch("https://api.test/a?x=1", method: "post").status == 200)
        #expect(fetcher.unmatchedCalls.map(\.url) == ["https://api.test/a?x=2", "https://api.test/a", "https://api.test/a?x=1"])
    }

    @Test func listedHeadersMustBePresentWithThatValueCaseInsensitively() async throws {
        let (fetcher, _) = try Self.make(
            #"""
            [{"request": {"method": "POST", "url": "https://api.test/send", "headers": {"Idempotency-Key": "abc"}},
              "response": {"body": "keyed"}, "times": "any"}]
            """#
        )
        let keyed = try await fetcher.fetch(
            "https://api.test/send",
            method: "POST",
            headers: ["idempotency-key": "abc", "x-other": "ignored"]
        )
        #expect(try await keyed.text() == "keyed")
        await #expect(throws: FetchError.self) {
            try await fetcher.fetch("https://api.test/send", method: "POST", headers: ["idempotency-key": "xyz"])
        }
        await #expect(throws: FetchError.self) { try await fetcher.fetch("https://api.test/send", method: "POST") }
        let failure = try #require(fetcher.unmatchedCalls.last).failure
        #expect(
            failure.description
                == #"upstream: no entry matches POST https://api.test/send (upstream[0]: header idempotency-key is missing, expected "abc")"#
        )
    }

    @Test func bodyJsonMatchesEqualJSONAndBodyMatchesEqualText() async throws {
        let (fetcher, _) = try Self.make(
            #"""
            [{"request": {"method": "POST", "url": "https://api.test/j", "bodyJson": {"to": "x", "n": 1}}, "response": {"body": "json"}, "times": "any"},
             {"request": {"method": "POST", "url": "https://api.test/t", "body": "{\"to\":\"x\"}"}, "response": {"body": "text"}, "times": "any"}]
            """#
        )
        // Key order and white space do not matter for bodyJson; numbers compare by value.
        let json = try await fetcher.fetch("https://api.test/j", method: "POST", body: Body(text: #"{ "n": 1.0, "to": "x" }"#))
        #expect(try await json.text() == "json")
        await #expect(throws: FetchError.self) {
            try await fetcher.fetch("https://api.test/j", method: "POST", body: Body(text: #"{"to":"y","n":1}"#))
        }
        await #expect(throws: FetchError.self) { try await fetcher.fetch("https://api.test/j", method: "POST", body: Body(text: "not json")) }
        // body is exact text.
        let text = try await fetcher.fetch("https://api.test/t", method: "POST", body: Body(text: #"{"to":"x"}"#))
        #expect(try await text.text() == "text")
        await #expect(throws: FetchError.self) { try await fetcher.fetch("https://api.test/t", method: "POST", body: Body(text: #"{ "to": "x" }"#)) }
    }

    @Test func unmatchedCallFailsNamingMethodAndURL() async throws {
        let (fetcher, _) = try Self.make("[]")
        do {
            _ = try await fetcher.fetch("https://api.test/v1/send?a=b", method: "POST")
            Issue.record("expected a FetchError")
        } catch let error as FetchError {
            #expect(error.message.contains("POST https://api.test/v1/send?a=b"))
        }
        #expect(fetcher.failures(strict: true).map(\.description) == ["upstream: no entry matches POST https://api.test/v1/send?a=b"])
    }

    @Test func unusedEntriesFailUnlessNotStrict() async throws {
        let (fetcher, _) = try Self.make(
            #"""
            [{"request": {"method": "GET", "url": "https://api.test/a"}, "response": {}, "times": 2},
             {"request": {"method": "GET", "url": "https://api.test/b"}, "response": {}},
             {"request": {"method": "GET", "url": "https://api.test/c"}, "response": {}, "times": "any"}]
            """#
        )
        _ = try await fetcher.fetch("https://api.test/a")
        #expect(
            fetcher.unusedEntries()
                == [
                    UnusedUpstreamEntry(path: "upstream[0]", method: "GET", url: "https://api.test/a", times: 2, used: 1),
                    UnusedUpstreamEntry(path: "upstream[1]", method: "GET", url: "https://api.test/b", times: 1, used: 0),
                ]
        )
        #expect(
            fetcher.failures(strict: true).map(\.description) == [
                "upstream[0]: expected 2 calls to GET https://api.test/a, got 1",
                "upstream[1]: expected 1 call to GET https://api.test/b, got 0",
            ]
        )
        #expect(fetcher.failures(strict: false).isEmpty)
    }

    @Test(arguments: [("timeout", FetchError.Kind.timeout), ("connection", .connection)])
    func transportFailuresAreSimulated(error: String, kind: FetchError.Kind) async throws {
        let (fetcher, clock) = try Self.make(
            #"[{"request": {"method": "GET", "url": "https://api.test/"}, "response": {"error": "\#(error)", "delayMs": 30000}}]"#
        )
        let start = clock.now()
        do {
            _ = try await fetcher.fetch("https://api.test/")
            Issue.record("expected a FetchError")
        } catch let failure as FetchError {
            #expect(failure.kind == kind)
        }
        #expect(clock.now().timeIntervalSince(start) == 30)
        #expect(fetcher.unmatchedCalls.isEmpty)
        #expect(fetcher.unusedEntries().isEmpty)
    }

    @Test func responsesCarryStatusHeadersAndBodyAndDelayMovesTheClock() async throws {
        let (fetcher, clock) = try Self.make(
            #"""
            [{"request": {"method": "GET", "url": "https://api.test/j"}, "response": {"status": 202, "headers": {"X-Id": "7"}, "json": {"id": "m_1"}, "delayMs": 1500}},
             {"request": {"method": "GET", "url": "https://api.test/b"}, "response": {"status": 200, "base64": "AAH/"}}]
            """#
        )
        let start = clock.now()
        let json = try await fetcher.fetch("https://api.test/j")
        #expect(json.status == 202)
        #expect(json.headers["x-id"] == "7")
        #expect(json.headers["content-type"] == "application/json")
        #expect(try await json.json() == ["id": "m_1"])
        #expect(clock.now().timeIntervalSince(start) == 1.5)
        let bytes = try await fetcher.fetch("https://api.test/b")
        #expect(try await bytes.bytes() == [0, 1, 255])
        #expect(clock.now().timeIntervalSince(start) == 1.5)
    }

    @Test func concurrentCallsConsumeEachEntryOnce() async throws {
        let (fetcher, _) = try Self.make(#"[{"request": {"method": "GET", "url": "https://api.test/"}, "response": {}, "times": 10}]"#)
        let statuses = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<12 { group.addTask { (try? await fetcher.fetch("https://api.test/").status) ?? 0 } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 200 }.count == 10)
        #expect(fetcher.unmatchedCalls.count == 2)
        #expect(fetcher.callCount == 12)
    }
}
