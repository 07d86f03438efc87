import Drover
import DroverCLI
import Foundation
import Testing

@testable import DroverReplay

/// The replay engine (FixtureRunner, ReplayRun, `drover replay`) against small fixtures of a test
/// worker, covering every key of the fixture format (Docs/fixtures.md): each feature with a passing fixture and a failing
/// variant whose message (file, JSON path, expected and actual) is asserted.
@Suite("Replay engine")
struct ReplayEngineTests {
    // MARK: - Passing and failing request expectations

    @Test func requestStepSendsHeadersAndEveryBodyKind() async throws {
        let project = try EngineProject()
        let result = try await project.run(
            "bodies.json",
            #"""
            {"name": "request bodies",
             "steps": [
               {"request": {"method": "POST", "path": "/echo?q=a%20b", "headers": {"x-test": "yes"}, "body": "plain text"},
                "expect": {"status": 200, "json": {"method": "POST", "target": "/echo?q=a%20b", "host": "localhost", "xTest": "yes",
                           "contentType": null, "text": "plain text", "hex": "706c61696e2074657874", "size": 10}}},
               {"request": {"method": "PUT", "path": "/echo", "json": {"a": [1, 2]}},
                "expect": {"jsonSubset": {"method": "PUT", "contentType": "application/json", "text": "{\"a\":[1,2]}"}}},
               {"request": {"method": "POST", "path": "/echo", "headers": {"Content-Type": "text/x-custom"}, "json": {"a": 1}},
                "expect": {"jsonSubset": {"contentType": "text/x-custom"}}},
               {"request": {"method": "POST", "path": "/echo", "base64": "AAH/"},
                "expect": {"jsonSubset": {"hex": "0001ff", "size": 3}}},
               {"request": {"path": "/echo"}, "expect": {"jsonSubset": {"method": "GET", "size": 0}}}
             ]}
            """#
        )
        #expect(result.outcome == .passed, "\(result.failureMessages)")
    }

    @Test func everyRequestExpectKeyPassesAndFailsWithItsPath() async throws {
        let project = try EngineProject()
        let steps = #"""
              {"request": {"method": "GET", "path": "/status/201"},
               "expect": {"status": 201, "headers": {"X-Status": "201", "content-type": "text/plain;charset=UTF-8"},
                          "body": "status 201", "bodyContains": "tus 2"}},
              {"request": {"method": "POST", "path": "/echo", "json": {"n": 1}},
               "expect": {"json": {"method": "POST", "target": "/echo", "host": "localhost", "xTest": null,
                                   "contentType": "application/json", "text": "{\"n\":1}", "hex": "7b226e223a317d", "size": 7},
                          "jsonSubset": {"text": "{\"n\":1}"}}}
            """#
        let passing = try await project.run("expect-pass.json", #"{"name": "expect keys", "steps": [\#(steps)]}"#)
        #expect(passing.outcome == .passed, "\(passing.failureMessages)")

        let failing = try await project.run(
            "expect-fail.json",
            #"""
            {"name": "expect keys, wrong",
             "steps": [
               {"request": {"method": "GET", "path": "/status/201"},
                "expect": {"status": 200, "headers": {"X-Status": "200", "x-absent": "1"}, "body": "status 200", "bodyContains": "zzz"}},
               {"request": {"method": "POST", "path": "/echo", "json": {"n": 1}},
                "expect": {"json": {"method": "PUT"}, "jsonSubset": {"hex": "00", "nope": 1}}},
               {"request": {"method": "GET", "path": "/status/401"}, "expect": {"status": 200}}
             ]}
            """#
        )
        let file = project.fixturePath("expect-fail.json")
        #expect(failing.outcome == .failed)
        #expect(
            failing.failureMessages == [
                "\(file): steps[0].expect.status: expected 200, got 201",
                "\(file): steps[0].expect.headers.X-Status: expected \"200\", got \"201\"",
                "\(file): steps[0].expect.headers.x-absent: expected \"1\", got no such header",
                "\(file): steps[0].expect.body: expected \"status 200\", got \"status 201\"",
                "\(file): steps[0].expect.bodyContains: expected the body to contain \"zzz\", got \"status 201\"",
                "\(file): steps[1].expect.json.method: expected \"PUT\", got \"POST\"",
                "\(file): steps[1].expect.jsonSubset.hex: expected \"00\", got \"7b226e223a317d\"",
                "\(file): steps[2].expect.status: expected 200, got 401",
            ]
        )
        // The rendered report gives the worker's log for the failing fixture.
        #expect(failing.renderedFailure().contains("handled GET /status/401"))
    }

    // MARK: - Top level: name, config, env, now, secrets, vars

    @Test func configDefaultsRelativeAndRootedPaths() async throws {
        let project = try EngineProject()
        // No `config`: the project's wrangler-like.toml (greeting "root"); .dev.vars beside it applies.
        let defaulted = try await project.run(
            "default-config.json",
            #"""
            {"name": "default config",
             "steps": [{"request": {"path": "/env"},
                        "expect": {"json": {"greeting": "root", "version": null, "token": "dev-token", "other": "dev-other"}}}]}
            """#
        )
        #expect(defaulted.outcome == .passed, "\(defaulted.failureMessages)")

        let relative = try await project.run(
            "nested/relative-config.json",
            #"""
            {"name": "relative config", "config": "../../engine.toml",
             "steps": [{"request": {"path": "/env"}, "expect": {"jsonSubset": {"greeting": "hello", "version": "1"}}}]}
            """#
        )
        #expect(relative.outcome == .passed, "\(relative.failureMessages)")

        let rooted = try await project.run(
            "nested/rooted-config.json",
            #"""
            {"name": "rooted config", "config": "/engine-v2.toml",
             "steps": [{"request": {"path": "/env"}, "expect": {"jsonSubset": {"greeting": "hello", "version": "2"}}}]}
            """#
        )
        #expect(rooted.outcome == .passed, "\(rooted.failureMessages)")

        let missing = try await project.run(
            "missing-config.json",
            #"{"name": "missing config", "config": "/nowhere.toml", "steps": [{"request": {"path": "/env"}}]}"#
        )
        #expect(missing.outcome == .failed)
        let message = try #require(missing.failureMessages.first)
        #expect(message.hasPrefix("\(project.fixturePath("missing-config.json")): config: "))
        #expect(message.contains("nowhere.toml"))
        // Nothing ran: the worker logged nothing.
        #expect(missing.logLines.isEmpty)
    }

    @Test func environmentVarsSecretsAndNow() async throws {
        let project = try EngineProject()
        let fixture = #"""
            {"name": "env, vars, secrets, now", "config": "/engine.toml", "env": "staging", "now": "2026-03-04T05:06:07Z",
             "secrets": {"TOKEN": "fixture-token"},
             "vars": {"VERSION": "7"},
             "steps": [
               {"request": {"path": "/env"},
                "expect": {"json": {"greeting": "hi from staging", "version": "7", "token": "fixture-token", "other": null}}},
               {"request": {"path": "/time"}, "expect": {"json": {"nowMs": 1772600767000}}}
             ]}
            """#
        let passing = try await project.run("env.json", fixture)
        #expect(passing.outcome == .passed, "\(passing.failureMessages)")

        let failing = try await project.run(
            "env-fail.json",
            #"""
            {"name": "env, wrong", "config": "/engine.toml", "secrets": {"TOKEN": "t"}, "vars": {"GREETING": "override"},
             "steps": [{"request": {"path": "/env"}, "expect": {"jsonSubset": {"greeting": "hi from staging", "token": "other"}}}]}
            """#
        )
        let file = project.fixturePath("env-fail.json")
        #expect(failing.failureMessages == ["\(file): steps[0].expect.jsonSubset.greeting: expected \"hi from staging\", got \"override\""])

        let unknownEnv = try await project.run(
            "env-unknown.json",
            #"{"name": "env unknown", "config": "/engine.toml", "env": "nope", "steps": [{"advance": "1s"}]}"#
        )
        #expect(unknownEnv.outcome == .failed)
        #expect(unknownEnv.failureMessages.first?.hasPrefix("\(project.fixturePath("env-unknown.json")): config: ") == true)
    }

    // MARK: - given

    @Test func givenSeedsKVD1AndQueuesByBindingAndByName() async throws {
        let project = try EngineProject()
        let passing = try await project.run(
            "given.json",
            #"""
            {"name": "given state", "config": "/engine.toml",
             "given": {
               "kv": {"CACHE": [
                 {"key": "text", "value": "hello"},
                 {"key": "doc", "json": {"a": 1}, "metadata": {"v": 2}},
                 {"key": "raw", "base64": "AAE="},
                 {"key": "short", "value": "x", "expirationTtl": 60},
                 {"key": "until", "value": "y", "expiration": 1767225700}
               ]},
               "d1": {"DB": ["INSERT INTO notes(id, text) VALUES (1, 'one')", "INSERT INTO notes(id, text) VALUES (2, 'two')"]},
               "queues": {"EVENTS": [{"body": {"n": 1}}], "events": [{"body": "plain", "contentType": "text"}]}
             },
             "steps": [
               {"request": {"path": "/kv/text"}, "expect": {"body": "hello"}},
               {"request": {"path": "/kv/doc"}, "expect": {"json": {"a": 1}, "headers": {"x-metadata": "{\"v\":2}"}}},
               {"request": {"path": "/kv/raw"}, "expect": {"status": 200, "headers": {"x-hex": "0001"}}},
               {"advance": "61s"},
               {"request": {"path": "/kv/short"}, "expect": {"status": 404}},
               {"request": {"path": "/kv/until"}, "expect": {"body": "y"}},
               {"advance": "40s"},
               {"request": {"path": "/kv/until"}, "expect": {"status": 404}},
               {"drainQueues": true}
             ],
             "expect": {
               "d1": [{"db": "DB", "query": "SELECT id, text FROM notes ORDER BY id", "rows": [{"id": 1, "text": "one"}, {"id": 2, "text": "two"}]},
                      {"db": "DB", "query": "SELECT queue, body, attempts FROM deliveries ORDER BY seq",
                       "rows": [{"queue": "events", "body": "{\"n\":1}", "attempts": 1}, {"queue": "events", "body": "\"plain\"", "attempts": 1}]}],
               "queues": {"EVENTS": {"pending": 0}, "events": {"pending": 0, "deadLettered": 0}}
             }}
            """#
        )
        #expect(passing.outcome == .passed, "\(passing.failureMessages)")

        let unbound = try await project.run(
            "given-unbound.json",
            #"""
            {"name": "given unbound", "config": "/engine.toml", "given": {"kv": {"NOPE": [{"key": "a", "value": "b"}]}},
             "steps": [{"request": {"path": "/kv/a"}}]}
            """#
        )
        let file = project.fixturePath("given-unbound.json")
        #expect(unbound.failureMessages == ["\(file): given.kv.NOPE: no KV namespace bound as NOPE in \(project.root)/engine.toml"])
        #expect(unbound.logLines.isEmpty, "the request step must not have run")

        let badSQL = try await project.run(
            "given-sql.json",
            #"""
            {"name": "given bad SQL", "config": "/engine.toml", "given": {"d1": {"DB": ["INSERT INTO notes(id) VALUES (1)", "INSERT INTO nowhere VALUES (1)"]}},
             "steps": [{"advance": "1s"}]}
            """#
        )
        let sqlMessage = try #require(badSQL.failureMessages.first)
        #expect(sqlMessage.hasPrefix("\(project.fixturePath("given-sql.json")): given.d1.DB[1]: "))
        #expect(sqlMessage.contains("no such table: nowhere"))
    }

    // MARK: - Final expect

    @Test func everyFinalExpectKeyPassesAndFailsWithItsPath() async throws {
        let project = try EngineProject()
        let steps = #"""
              {"request": {"method": "PUT", "path": "/kv/name", "body": "drover"}},
              {"request": {"method": "PUT", "path": "/kv/doc", "body": "{\"a\":{\"b\":1,\"c\":2},\"d\":[1,2]}"}},
              {"request": {"method": "POST", "path": "/blob", "base64": "AP8B"}},
              {"request": {"method": "POST", "path": "/send", "json": {"n": 1}}},
              {"request": {"method": "POST", "path": "/send", "json": {"n": 2, "fail": true}}},
              {"drainQueues": ["EVENTS"]},
              {"request": {"method": "POST", "path": "/send", "json": {"n": 3}}},
              {"request": {"method": "POST", "path": "/log", "body": "the marker line"}}
            """#
        let passing = try await project.run(
            "final.json",
            #"""
            {"name": "final expect", "config": "/engine.toml", "steps": [\#(steps)],
             "expect": {
               "kv": {"CACHE": {"name": {"value": "drover"}, "doc": {"json": {"a": {"b": 1, "c": 2}, "d": [1, 2]}},
                                "missing": {"absent": true}},
                      "CACHE2": {"doc2": {"jsonSubset": {"a": {"b": 1}}}}},
               "d1": [{"db": "DB", "query": "SELECT id, data, length(data) AS size, 1.5 AS half, NULL AS empty FROM blobs",
                       "rows": [{"id": 1, "data": {"base64": "AP8B"}, "size": 3, "half": 1.5, "empty": null}]}],
               "queues": {"EVENTS": {"pending": 1, "deadLettered": 1}, "events-dlq": {"pending": 1}},
               "upstreamCalls": 0,
               "logsContain": ["the marker line", "delivered events"],
               "logsNotContain": ["secret-value"]
             }}
            """#
        )
        #expect(passing.outcome == .passed, "\(passing.failureMessages)")

        let failing = try await project.run(
            "final-fail.json",
            #"""
            {"name": "final expect, wrong", "config": "/engine.toml", "steps": [\#(steps)],
             "expect": {
               "kv": {"CACHE": {"name": {"value": "other"}, "doc": {"json": {"a": {"b": 1}, "d": [1, 2]}},
                                "missing": {"value": "x"}},
                      "CACHE2": {"doc2": {"jsonSubset": {"d": [1]}}, "name": {"absent": true}}},
               "d1": [{"db": "DB", "query": "SELECT id, data FROM blobs", "rows": [{"id": 1, "data": {"base64": "AAAA"}}]},
                      {"db": "DB", "query": "SELECT id FROM blobs", "rows": []},
                      {"db": "DB", "query": "SELECT nope FROM blobs", "rows": []}],
               "queues": {"EVENTS": {"pending": 0, "deadLettered": 0}},
               "upstreamCalls": 2,
               "logsContain": ["never logged"],
               "logsNotContain": ["marker"]
             }}
            """#
        )
        let file = project.fixturePath("final-fail.json")
        let messages = failing.failureMessages
        let expected = [
            "\(file): expect.kv.CACHE.name.value: expected \"other\", got \"drover\"",
            "\(file): expect.kv.CACHE.doc.json.a: unexpected key \"c\" with value 2",
            "\(file): expect.kv.CACHE.missing: expected the key to exist, it is absent",
            "\(file): expect.kv.CACHE2.doc2.jsonSubset.d: expected 1 elements, got 2",
            "\(file): expect.kv.CACHE2.name.absent: expected the key to be absent, it holds \"copied\"",
            "\(file): expect.d1[0].rows[0].data: expected {\"base64\":\"AAAA\"}, got {\"base64\":\"AP8B\"}",
            "\(file): expect.d1[1].rows: expected 0 rows, got 1",
            "\(file): expect.queues.EVENTS.pending: expected 0, got 1",
            "\(file): expect.queues.EVENTS.deadLettered: expected 0, got 1",
            "\(file): expect.upstreamCalls: expected 2, got 0",
            "\(file): expect.logsContain[0]: expected the logs to contain \"never logged\", no line does",
        ]
        for message in expected { #expect(messages.contains(message), "missing \(message) in \(messages)") }
        #expect(messages.contains { $0.hasPrefix("\(file): expect.d1[2].query: the query failed: ") && $0.contains("no such column: nope") })
        #expect(messages.contains { $0.hasPrefix("\(file): expect.logsNotContain[0]: expected the logs not to contain \"marker\", found in ") })
        #expect(messages.count == expected.count + 2, "\(messages)")
    }

    // MARK: - Steps: drainQueues, advance, scheduled, deploy, waitUntil

    @Test func drainQueuesRetriesWithDelaysAndDeadLetters() async throws {
        let project = try EngineProject()
        // max_retries 1, retry_delay 30: the failing message is delivered twice, 30 s apart on the
        // frozen clock, then dead-lettered to events-dlq whose consumer records it.
        let passing = try await project.run(
            "retries.json",
            #"""
            {"name": "retries", "config": "/engine.toml",
             "steps": [
               {"request": {"method": "POST", "path": "/send", "json": {"n": 1, "fail": true}}},
               {"drainQueues": ["events"]},
               {"request": {"path": "/time"}, "expect": {"json": {"nowMs": 1767225630000}}},
               {"drainQueues": true}
             ],
             "expect": {
               "d1": [{"db": "DB", "query": "SELECT queue, body, attempts, at_ms FROM deliveries ORDER BY seq",
                       "rows": [{"queue": "events-dlq", "body": "{\"n\":1,\"fail\":true}", "attempts": 1, "at_ms": 1767225630000}]}],
               "queues": {"EVENTS": {"pending": 0, "deadLettered": 1}, "events-dlq": {"pending": 0}},
               "logsContain": ["retrying n=1 attempt 1", "retrying n=1 attempt 2"]
             }}
            """#
        )
        #expect(passing.outcome == .passed, "\(passing.failureMessages)")

        // Draining only the DLQ leaves the main queue's message pending.
        let failing = try await project.run(
            "retries-fail.json",
            #"""
            {"name": "retries, wrong queue drained", "config": "/engine.toml",
             "steps": [
               {"request": {"method": "POST", "path": "/send", "json": {"n": 1}}},
               {"drainQueues": ["events-dlq"]}
             ],
             "expect": {"queues": {"events": {"pending": 0}}}}
            """#
        )
        #expect(failing.failureMessages == ["\(project.fixturePath("retries-fail.json")): expect.queues.events.pending: expected 0, got 1"])
    }

    @Test func advanceExpiresKVAndReleasesDelayedMessages() async throws {
        let project = try EngineProject()
        func fixture(advance: String) -> String {
            #"""
            {"name": "advance \#(advance)", "config": "/engine.toml",
             "steps": [
               {"request": {"method": "PUT", "path": "/kv/session?ttl=60", "body": "s"}, "expect": {"status": 201}},
               {"request": {"method": "POST", "path": "/send?delay=120", "json": {"n": 9}}, "expect": {"status": 202}},
               {"drainQueues": true},
               {"advance": "\#(advance)"},
               {"drainQueues": true}
             ],
             "expect": {
               "kv": {"CACHE": {"session": {"absent": true}}},
               "queues": {"EVENTS": {"pending": 0}},
               "d1": [{"db": "DB", "query": "SELECT body FROM deliveries", "rows": [{"body": "{\"n\":9}"}]}]
             }}
            """#
        }
        let passing = try await project.run("advance.json", fixture(advance: "2m"))
        #expect(passing.outcome == .passed, "\(passing.failureMessages)")
        let passingHours = try await project.run("advance-hours.json", fixture(advance: "1h"))
        #expect(passingHours.outcome == .passed, "\(passingHours.failureMessages)")

        let failing = try await project.run("advance-fail.json", fixture(advance: "30s"))
        let file = project.fixturePath("advance-fail.json")
        #expect(
            failing.failureMessages == [
                "\(file): expect.kv.CACHE.session.absent: expected the key to be absent, it holds \"s\"",
                "\(file): expect.d1[0].rows: expected 1 rows, got 0",
                "\(file): expect.queues.EVENTS.pending: expected 0, got 1",
            ]
        )
    }

    @Test func scheduledRunsAtTheFrozenNow() async throws {
        let project = try EngineProject()
        let passing = try await project.run(
            "cron.json",
            #"""
            {"name": "cron", "config": "/engine.toml", "now": "2026-01-01T10:00:00Z",
             "steps": [{"scheduled": "0 * * * *"}, {"advance": "1d"}, {"scheduled": "0 * * * *"}],
             "expect": {"d1": [{"db": "DB", "query": "SELECT cron, at_ms FROM runs ORDER BY seq",
                                "rows": [{"cron": "0 * * * *", "at_ms": 1767261600000}, {"cron": "0 * * * *", "at_ms": 1767348000000}]}],
                        "kv": {"CACHE": {"cron-background": {"value": "1767348000000"}}},
                        "logsContain": ["cron 0 * * * * ran"]}}
            """#
        )
        #expect(passing.outcome == .passed, "\(passing.failureMessages)")

        let failing = try await project.run(
            "cron-fail.json",
            #"{"name": "cron unknown", "config": "/engine.toml", "steps": [{"advance": "1s"}, {"scheduled": "*/7 * * * *"}]}"#
        )
        #expect(
            failing.failureMessages == [
                "\(project.fixturePath("cron-fail.json")): steps[1].scheduled: \"*/7 * * * *\" is not a cron trigger of \(project.root)/engine.toml (it has: 0 * * * *)"
            ]
        )
    }

    @Test func deploySwitchesConfigAndKeepsState() async throws {
        let project = try EngineProject()
        let passing = try await project.run(
            "deploy.json",
            #"""
            {"name": "deploy", "config": "/engine.toml",
             "steps": [
               {"request": {"method": "PUT", "path": "/kv/kept", "body": "v1 data"}},
               {"request": {"path": "/env"}, "expect": {"jsonSubset": {"version": "1"}}},
               {"deploy": "/engine-v2.toml"},
               {"request": {"path": "/env"}, "expect": {"jsonSubset": {"version": "2"}}},
               {"request": {"path": "/kv/kept"}, "expect": {"body": "v1 data"}},
               {"deploy": "../engine.toml"},
               {"request": {"path": "/env"}, "expect": {"jsonSubset": {"version": "1"}}}
             ],
             "expect": {"d1": [{"db": "DB", "query": "SELECT name FROM d1_migrations ORDER BY id",
                                "rows": [{"name": "0001_init.sql"}, {"name": "0002_v2.sql"}]}]}}
            """#
        )
        #expect(passing.outcome == .passed, "\(passing.failureMessages)")

        let failing = try await project.run(
            "deploy-fail.json",
            #"""
            {"name": "deploy broken", "config": "/engine.toml",
             "steps": [{"request": {"path": "/env"}}, {"deploy": "/missing-v3.toml"}, {"request": {"path": "/never"}}]}
            """#
        )
        let message = try #require(failing.failureMessages.first)
        #expect(message.hasPrefix("\(project.fixturePath("deploy-fail.json")): steps[1].deploy: "))
        #expect(message.contains("missing-v3.toml"))
        #expect(!failing.logLines.joined().contains("/never"), "steps after a broken deploy must not run")
    }

    @Test func waitUntilWorkFinishesBeforeTheStepEnds() async throws {
        let project = try EngineProject()
        let passing = try await project.run(
            "wait-until.json",
            #"""
            {"name": "waitUntil", "config": "/engine.toml",
             "steps": [
               {"request": {"method": "POST", "path": "/later"}, "expect": {"status": 202, "body": "accepted"}},
               {"request": {"path": "/kv/later"}, "expect": {"body": "done"}}
             ],
             "expect": {"kv": {"CACHE": {"later": {"value": "done"}}}, "logsContain": ["background write done"]}}
            """#
        )
        #expect(passing.outcome == .passed, "\(passing.failureMessages)")

        let failing = try await project.run(
            "wait-until-fail.json",
            #"""
            {"name": "waitUntil, wrong", "config": "/engine.toml",
             "steps": [{"request": {"method": "POST", "path": "/later"}}, {"request": {"path": "/kv/later"}, "expect": {"body": "pending"}}]}
            """#
        )
        #expect(
            failing.failureMessages == ["\(project.fixturePath("wait-until-fail.json")): steps[1].expect.body: expected \"pending\", got \"done\""]
        )
    }

    @Test func queueNamesThatNameNoQueueAreErrors() async throws {
        let project = try EngineProject()
        let expectTypo = try await project.run(
            "queue-typo-expect.json",
            #"""
            {"name": "queue typo in expect", "config": "/engine.toml",
             "steps": [{"request": {"method": "POST", "path": "/send", "json": {"n": 1}}}],
             "expect": {"queues": {"EVENT": {"pending": 0}}}}
            """#
        )
        #expect(
            expectTypo.failureMessages == [
                "\(project.fixturePath("queue-typo-expect.json")): expect.queues.EVENT: no queue named EVENT in \(project.root)/engine.toml (producer bindings: EVENTS; queues: events, events-dlq)"
            ]
        )

        let drainTypo = try await project.run(
            "queue-typo-drain.json",
            #"{"name": "queue typo in drain", "config": "/engine.toml", "steps": [{"drainQueues": ["events", "evnets"]}]}"#
        )
        #expect(
            drainTypo.failureMessages == [
                "\(project.fixturePath("queue-typo-drain.json")): steps[0].drainQueues[1]: no queue named evnets in \(project.root)/engine.toml (producer bindings: EVENTS; queues: events, events-dlq)"
            ]
        )

        let givenTypo = try await project.run(
            "queue-typo-given.json",
            #"{"name": "queue typo in given", "config": "/engine.toml", "given": {"queues": {"EVENT": [{"body": 1}]}}, "steps": [{"drainQueues": true}]}"#
        )
        #expect(
            givenTypo.failureMessages == [
                "\(project.fixturePath("queue-typo-given.json")): given.queues.EVENT: no queue named EVENT in \(project.root)/engine.toml (producer bindings: EVENTS; queues: events, events-dlq)"
            ]
        )
    }

    @Test func secretPlaceholdersResolveFromDevVarsThenTheEnvironment() async throws {
        let project = try EngineProject()
        let passing = try await project.run(
            "placeholders.json",
            #"""
            {"name": "placeholders", "config": "/engine.toml", "secrets": {"TOKEN": "${TOKEN}", "OTHER": "pre-${FROM_ENV}"},
             "steps": [{"request": {"path": "/env"}, "expect": {"jsonSubset": {"token": "dev-token", "other": "pre-env-value"}}}]}
            """#,
            environment: ["FROM_ENV": "env-value", "TOKEN": "not-this-one"]
        )
        #expect(passing.outcome == .passed, "\(passing.failureMessages)")

        let missing = try await project.run(
            "placeholders-missing.json",
            #"""
            {"name": "placeholder missing", "config": "/engine.toml", "secrets": {"TOKEN": "${NOT_SET}"},
             "steps": [{"request": {"path": "/env"}}]}
            """#
        )
        #expect(missing.outcome == .failed)
        let message = try #require(missing.failureMessages.first)
        #expect(message.hasPrefix(project.fixturePath("placeholders-missing.json") + ": "))
        #expect(message.contains("NOT_SET"))
        #expect(missing.logLines.isEmpty)
    }

    // MARK: - Upstream

    @Test func upstreamMatchesMethodURLHeadersAndBodies() async throws {
        let project = try EngineProject()
        let passing = try await project.run(
            "upstream.json",
            #"""
            {"name": "upstream matching", "config": "/engine.toml",
             "upstream": [
               {"request": {"method": "GET", "url": "https://api.example.test/v1/items?page=2&sort=asc"},
                "response": {"status": 200, "headers": {"content-type": "text/plain"}, "body": "page two"}},
               {"request": {"method": "POST", "url": "https://api.example.test/v1/send", "headers": {"Idempotency-Key": "abc"},
                            "bodyJson": {"to": "x", "n": 1}},
                "response": {"status": 201, "json": {"id": "m_1"}}},
               {"request": {"method": "POST", "url": "https://api.example.test/v1/raw", "body": "exact text"},
                "response": {"status": 200, "base64": "b2s="}},
               {"request": {"method": "GET", "url": "https://api.example.test/seq"}, "response": {"body": "first"}},
               {"request": {"method": "GET", "url": "https://api.example.test/seq"}, "response": {"body": "second"}, "times": 2},
               {"request": {"method": "GET", "url": "https://api.example.test/health"}, "response": {"status": 204}, "times": "any"}
             ],
             "steps": [
               {"request": {"method": "POST", "path": "/fetch", "json": {"url": "https://api.example.test/v1/items?page=2&sort=asc"}},
                "expect": {"json": {"status": 200, "body": "page two", "contentType": "text/plain", "nowMs": 1767225600000}}},
               {"request": {"method": "POST", "path": "/fetch",
                            "json": {"url": "https://api.example.test/v1/send", "method": "POST",
                                     "headers": {"idempotency-key": "abc", "x-extra": "1"}, "body": "{\"n\": 1, \"to\": \"x\"}"}},
                "expect": {"jsonSubset": {"status": 201, "body": "{\"id\":\"m_1\"}", "contentType": "application/json"}}},
               {"request": {"method": "POST", "path": "/fetch", "json": {"url": "https://api.example.test/v1/raw", "method": "POST", "body": "exact text"}},
                "expect": {"jsonSubset": {"body": "ok"}}},
               {"request": {"method": "POST", "path": "/fetch", "json": {"url": "https://api.example.test/seq"}}, "expect": {"jsonSubset": {"body": "first"}}},
               {"request": {"method": "POST", "path": "/fetch", "json": {"url": "https://api.example.test/seq"}}, "expect": {"jsonSubset": {"body": "second"}}},
               {"request": {"method": "POST", "path": "/fetch", "json": {"url": "https://api.example.test/seq"}}, "expect": {"jsonSubset": {"body": "second"}}},
               {"request": {"method": "POST", "path": "/fetch", "json": {"url": "https://api.example.test/health"}}, "expect": {"jsonSubset": {"status": 204}}},
               {"request": {"method": "POST", "path": "/fetch", "json": {"url": "https://api.example.test/health"}}, "expect": {"jsonSubset": {"status": 204}}},
               {"request": {"method": "POST", "path": "/fetch", "json": {"url": "https://api.example.test/health"}}, "expect": {"jsonSubset": {"status": 204}}}
             ],
             "expect": {"upstreamCalls": 9}}
            """#
        )
        #expect(passing.outcome == .passed, "\(passing.failureMessages)")
    }

    @Test func unmatchedCallsFailNamingMethodAndURL() async throws {
        let project = try EngineProject()
        let failing = try await project.run(
            "upstream-unmatched.json",
            #"""
            {"name": "unmatched", "config": "/engine.toml",
             "upstream": [
               {"request": {"method": "GET", "url": "https://api.example.test/a?x=1"}, "response": {"body": "a"}},
               {"request": {"method": "POST", "url": "https://api.example.test/b", "headers": {"x-key": "k"}}, "response": {"body": "b"}},
               {"request": {"method": "POST", "url": "https://api.example.test/c", "bodyJson": {"a": 1}}, "response": {"body": "c"}},
               {"request": {"method": "PUT", "url": "https://api.example.test/d", "body": "exact"}, "response": {"body": "d"}}
             ],
             "steps": [
               {"request": {"method": "POST", "path": "/fetch", "json": {"url": "https://api.example.test/a?x=2"}},
                "expect": {"jsonSubset": {"error": "connection"}}},
               {"request": {"method": "POST", "path": "/fetch", "json": {"url": "https://api.example.test/a?x=1", "method": "DELETE"}}},
               {"request": {"method": "POST", "path": "/fetch", "json": {"url": "https://api.example.test/b", "method": "POST", "headers": {"x-key": "other"}}}},
               {"request": {"method": "POST", "path": "/fetch", "json": {"url": "https://api.example.test/c", "method": "POST", "body": "{\"a\": 2}"}}},
               {"request": {"method": "POST", "path": "/fetch", "json": {"url": "https://api.example.test/c", "method": "POST", "body": "not json"}}},
               {"request": {"method": "POST", "path": "/fetch", "json": {"url": "https://api.example.test/d", "method": "PUT", "body": "exact "}}},
               {"request": {"method": "POST", "path": "/fetch", "json": {"url": "https://api.example.test/a?x=1"}}},
               {"request": {"method": "POST", "path": "/fetch", "json": {"url": "https://api.example.test/a?x=1"}}}
             ],
             "upstreamStrict": false}
            """#
        )
        let file = project.fixturePath("upstream-unmatched.json")
        #expect(
            failing.failureMessages == [
                "\(file): upstream: no entry matches GET https://api.example.test/a?x=2",
                "\(file): upstream: no entry matches DELETE https://api.example.test/a?x=1",
                "\(file): upstream: no entry matches POST https://api.example.test/b (upstream[1]: header x-key is \"other\", expected \"k\")",
                "\(file): upstream: no entry matches POST https://api.example.test/c (upstream[2]: the body differs at bodyJson.a: expected 1, got 2)",
                "\(file): upstream: no entry matches POST https://api.example.test/c (upstream[2]: the body is not JSON)",
                "\(file): upstream: no entry matches PUT https://api.example.test/d (upstream[3]: the body text differs)",
                "\(file): upstream: no entry matches GET https://api.example.test/a?x=1 (upstream[0] is used up after 1 call)",
            ]
        )
    }

    @Test func unusedEntriesFailUnlessUpstreamIsNotStrict() async throws {
        let project = try EngineProject()
        func fixture(strict: String) -> String {
            #"""
            {"name": "unused", "config": "/engine.toml", \#(strict)
             "upstream": [
               {"request": {"method": "GET", "url": "https://api.example.test/once"}, "response": {"body": "1"}},
               {"request": {"method": "GET", "url": "https://api.example.test/twice"}, "response": {"body": "2"}, "times": 2},
               {"request": {"method": "GET", "url": "https://api.example.test/never"}, "response": {"body": "3"}},
               {"request": {"method": "GET", "url": "https://api.example.test/maybe"}, "response": {"body": "4"}, "times": "any"}
             ],
             "steps": [
               {"request": {"method": "POST", "path": "/fetch", "json": {"url": "https://api.example.test/once"}}},
               {"request": {"method": "POST", "path": "/fetch", "json": {"url": "https://api.example.test/twice"}}}
             ]}
            """#
        }
        let strict = try await project.run("unused.json", fixture(strict: ""))
        let file = project.fixturePath("unused.json")
        #expect(
            strict.failureMessages == [
                "\(file): upstream[1]: expected 2 calls to GET https://api.example.test/twice, got 1",
                "\(file): upstream[2]: expected 1 call to GET https://api.example.test/never, got 0",
            ]
        )
        let explicitStrict = try await project.run("unused-strict.json", fixture(strict: #""upstreamStrict": true,"#))
        #expect(explicitStrict.failureMessages.count == 2)
        let lenient = try await project.run("unused-lenient.json", fixture(strict: #""upstreamStrict": false,"#))
        #expect(lenient.outcome == .passed, "\(lenient.failureMessages)")
    }

    @Test func transportErrorsAndDelaysAreSimulated() async throws {
        let project = try EngineProject()
        let passing = try await project.run(
            "upstream-errors.json",
            #"""
            {"name": "transport errors", "config": "/engine.toml",
             "upstream": [
               {"request": {"method": "GET", "url": "https://slow.example.test/"}, "response": {"error": "timeout", "delayMs": 30000}},
               {"request": {"method": "GET", "url": "https://down.example.test/"}, "response": {"error": "connection"}},
               {"request": {"method": "GET", "url": "https://ok.example.test/"}, "response": {"status": 200, "body": "fine", "delayMs": 1500}}
             ],
             "steps": [
               {"request": {"method": "POST", "path": "/fetch", "json": {"url": "https://slow.example.test/"}},
                "expect": {"status": 502, "json": {"error": "timeout", "nowMs": 1767225630000}}},
               {"request": {"method": "POST", "path": "/fetch", "json": {"url": "https://down.example.test/"}},
                "expect": {"status": 502, "json": {"error": "connection", "nowMs": 1767225630000}}},
               {"request": {"method": "POST", "path": "/fetch", "json": {"url": "https://ok.example.test/"}},
                "expect": {"json": {"status": 200, "body": "fine", "contentType": null, "nowMs": 1767225631500}}}
             ],
             "expect": {"upstreamCalls": 3, "logsContain": ["fetch failed: timeout"]}}
            """#
        )
        #expect(passing.outcome == .passed, "\(passing.failureMessages)")

        let failing = try await project.run(
            "upstream-errors-fail.json",
            #"""
            {"name": "transport errors, wrong", "config": "/engine.toml",
             "upstream": [{"request": {"method": "GET", "url": "https://slow.example.test/"}, "response": {"error": "timeout"}}],
             "steps": [{"request": {"method": "POST", "path": "/fetch", "json": {"url": "https://slow.example.test/"}},
                        "expect": {"jsonSubset": {"error": "connection"}}}]}
            """#
        )
        #expect(
            failing.failureMessages == [
                "\(project.fixturePath("upstream-errors-fail.json")): steps[0].expect.jsonSubset.error: expected \"connection\", got \"timeout\""
            ]
        )
    }

    // MARK: - Validation before anything runs

    @Test func unknownKeysAndAmbiguousStepsAreRejectedBeforeAnythingRuns() async throws {
        let project = try EngineProject()
        let result = try await project.run(
            "invalid.json",
            #"""
            {"name": "invalid", "config": "/engine.toml", "upstreamStrickt": false,
             "steps": [
               {"request": {"method": "PUT", "path": "/kv/a", "body": "x"}},
               {"request": {"path": "/env"}, "advance": "1s"},
               {"sleep": "1s"},
               {"request": {"path": "/env"}, "expect": {"statuss": 200}}
             ],
             "expect": {"kv": {"CACHE": {"a": {"absent": true}}}, "logContains": ["x"]}}
            """#
        )
        let file = project.fixturePath("invalid.json")
        #expect(result.outcome == .failed)
        #expect(result.name == nil, "an invalid fixture does not run")
        #expect(result.logLines.isEmpty)
        let messages = result.failureMessages
        for expected in [
            "\(file): upstreamStrickt: ",
            "\(file): steps[1]: expected exactly one action key (request, drainQueues, advance, scheduled, deploy), found request and advance",
            "\(file): steps[2].sleep: unknown step kind \"sleep\"",
            "\(file): steps[3].expect.statuss: ",
            "\(file): expect.logContains: ",
        ] {
            #expect(messages.contains { $0.hasPrefix(expected) }, "missing \(expected) in \(messages)")
        }
        let missingName = try await project.run("no-name.json", #"{"steps": [{"advance": "1s"}]}"#)
        #expect(missingName.failureMessages == ["\(project.fixturePath("no-name.json")): name: required"])
    }

    // MARK: - The CLI: --update, --junit, --filter, summary and exit status

    @Test func updateRewritesTheFailingStepAndTheFixtureThenPasses() async throws {
        let project = try EngineProject()
        let path = try project.write(
            "update.json",
            #"""
            {"name": "to update", "config": "/engine.toml",
             "steps": [
               {"request": {"path": "/status/200"}, "expect": {"status": 200}},
               {"request": {"path": "/status/401"}, "expect": {"status": 200, "body": "old"}},
               {"request": {"path": "/env"}, "expect": {"jsonSubset": {"version": "0"}, "headers": {"content-type": "text/plain"}}}
             ]}
            """#
        )
        let first = await project.cli(["replay", path])
        #expect(first.status == 1)
        #expect(first.output.contains("\(path): steps[1].expect.status: expected 200, got 401"))
        #expect(first.output.hasSuffix("0 passed, 1 failed\n"))

        let update = await project.cli(["replay", path, "--update"])
        #expect(update.status == 1, "the run that updates still reports the failure")
        let rewritten = try JSONParser.parse(Array(try #require(FileManager.default.contents(atPath: path))))
        let steps = try #require(rewritten["steps"]?.arrayValue)
        #expect(steps[0]["expect"] == ["status": 200])
        #expect(steps[1]["expect"] == ["status": 401, "body": "status 401"])
        #expect(steps[2]["expect"] == ["jsonSubset": ["version": "1"], "headers": ["content-type": "application/json"]])

        let second = await project.cli(["replay", path])
        #expect(second.status == 0, "\(second.output)")
        #expect(second.output == "PASS \(path) (to update)\n1 passed, 0 failed\n")
    }

    @Test func junitFilterSummaryAndExitStatus() async throws {
        let project = try EngineProject()
        try project.write(
            "suite/a-pass.json",
            #"{"name": "alpha", "config": "/engine.toml", "steps": [{"request": {"path": "/status/200"}, "expect": {"status": 200}}]}"#
        )
        try project.write(
            "suite/b-fail.json",
            #"{"name": "beta", "config": "/engine.toml", "steps": [{"request": {"path": "/status/500"}, "expect": {"status": 200}}]}"#
        )
        try project.write("suite/c-pass.json", #"{"name": "gamma", "config": "/engine.toml", "steps": [{"advance": "1s"}]}"#)
        let suite = project.fixturePath("suite")
        let junit = project.root + "/report.xml"

        let all = await project.cli(["replay", suite, "--junit", junit, "--jobs", "2"])
        #expect(all.status == 1)
        #expect(all.output.contains("PASS \(suite)/a-pass.json (alpha)\n"))
        #expect(all.output.contains("FAIL \(suite)/b-fail.json (beta)\n"))
        #expect(all.output.contains("  \(suite)/b-fail.json: steps[0].expect.status: expected 200, got 500\n"))
        #expect(all.output.hasSuffix("\n2 passed, 1 failed\n"))
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains("tests=\"3\" failures=\"1\""))
        #expect(xml.contains("<testcase classname=\"suite\" name=\"alpha\" file=\"\(suite)/a-pass.json\""))
        #expect(xml.contains("<failure message=\"\(suite)/b-fail.json: steps[0].expect.status: expected 200, got 500\""))

        let filtered = await project.cli(["replay", suite, "--filter", "gamma"])
        #expect(filtered.status == 0)
        #expect(filtered.output == "PASS \(suite)/c-pass.json (gamma)\n1 passed, 0 failed\n")

        let byPath = await project.cli(["replay", suite, "--filter", "b-fail"])
        #expect(byPath.status == 1)
        #expect(byPath.output.hasSuffix("0 passed, 1 failed\n"))

        // Relative paths resolve against the working directory; the default is Fixtures/ there.
        try project.write("Fixtures/only.json", #"{"name": "default folder", "config": "/engine.toml", "steps": [{"advance": "1s"}]}"#)
        let defaulted = await project.cli(["replay"], in: project.root)
        #expect(defaulted.status == 0)
        #expect(defaulted.output.hasSuffix("1 passed, 0 failed\n"))
    }
}

// MARK: - The test worker

/// The engine's test worker: a route per thing the runner must drive.
struct EngineWorker: Worker {
    func fetch(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
        ctx.logger.info("handled \(request.method) \(request.path)")
        let path = request.path
        let query = request.query
        switch (request.method, path) {
        case ("GET", "/env"):
            func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
            return .json([
                "greeting": text(env.vars["GREETING"]), "version": text(env.vars["VERSION"]),
                "token": text(try? env.secret("TOKEN")), "other": text(try? env.secret("OTHER")),
            ])
        case ("GET", "/time"):
            return .json(["nowMs": .integer(env.clock.nowMilliseconds())])
        case (_, "/echo"):
            let bytes = try await request.bytes()
            func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
            return .json([
                "method": .string(request.method), "target": .string(request.target), "host": .string(request.authority),
                "xTest": text(request.headers["x-test"]), "contentType": text(request.headers["content-type"]),
                "text": .string(String(decoding: bytes, as: UTF8.self)), "hex": .string(Self.hex(bytes)),
                "size": .integer(Int64(bytes.count)),
            ])
        case ("GET", _) where path.hasPrefix("/status/"):
            let status = Int(path.dropFirst("/status/".count)) ?? 500
            return Response("status \(status)", status: status, headers: ["x-status": String(status)])
        case ("PUT", _) where path.hasPrefix("/kv/"):
            let ttl = query["ttl"].flatMap { Int64($0) }
            try await env.kv("CACHE").put(
                String(path.dropFirst(4)),
                body: request.body,
                options: KVPutOptions(expirationTtl: ttl)
            )
            // A copy in the second namespace, for checks across bindings.
            try await env.kv("CACHE2").put(
                String(path.dropFirst(4)) + "2",
                body: Body(bytes: try await env.kv("CACHE").getBytes(String(path.dropFirst(4))) ?? [])
            )
            try await env.kv("CACHE2").put("name", "copied")
            return Response(status: 201)
        case ("GET", _) where path.hasPrefix("/kv/"):
            guard let entry = try await env.kv("CACHE").getWithMetadata(String(path.dropFirst(4))) else {
                return Response("missing", status: 404)
            }
            var headers: Headers = ["x-hex": Self.hex(entry.value)]
            if let metadata = entry.metadata { headers.set("x-metadata", JSONSerializer.string(metadata)) }
            return Response(status: 200, headers: headers, body: Body(bytes: entry.value))
        case ("POST", "/blob"):
            _ = try await env.d1("DB").prepare("INSERT INTO blobs (data) VALUES (?)").bind(.blob(try await request.bytes())).run()
            return Response(status: 201)
        case ("POST", "/send"):
            let delay = query["delay"].flatMap { Int($0) }
            try await env.queue("EVENTS").send(json: try await request.json(), delaySeconds: delay)
            return Response("queued", status: 202)
        case ("POST", "/log"):
            let text = try await request.text()
            ctx.logger.info(text)
            return Response(status: 204)
        case ("POST", "/later"):
            let kv = try env.kv("CACHE")
            let logger = ctx.logger
            ctx.waitUntil {
                // Long enough that a runner not waiting for background work reads the old state.
                try await Task.sleep(for: .milliseconds(20))
                try await kv.put("later", "done")
                logger.info("background write done")
            }
            return Response("accepted", status: 202)
        case ("POST", "/fetch"):
            return try await outbound(try await request.json(), env: env, ctx: ctx)
        default:
            return Response("no route", status: 404)
        }
    }

    /// Calls `env.fetch` as the body says; answers what came back, or the `FetchError` kind (502).
    private func outbound(_ call: JSONValue, env: Env, ctx: ExecutionContext) async throws -> Response {
        var headers = Headers()
        for (name, value) in call["headers"]?.objectValue ?? [:] { headers.set(name, value.stringValue ?? "") }
        do {
            let response = try await env.fetch.fetch(
                call["url"]?.stringValue ?? "",
                method: call["method"]?.stringValue ?? "GET",
                headers: headers,
                body: Body(bytes: Array((call["body"]?.stringValue ?? "").utf8))
            )
            return .json([
                "status": .integer(Int64(response.status)), "body": .string(try await response.text()),
                "contentType": response.headers["content-type"].map(JSONValue.string) ?? .null,
                "nowMs": .integer(env.clock.nowMilliseconds()),
            ])
        } catch let error as FetchError {
            ctx.logger.warning("fetch failed: \(error.kind.rawValue)")
            return .json(["error": .string(error.kind.rawValue), "nowMs": .integer(env.clock.nowMilliseconds())], status: 502)
        }
    }

    /// Records each message in D1; a body with `"fail": true` is retried (on `events` only).
    func queue(_ batch: MessageBatch, env: Env, ctx: ExecutionContext) async throws {
        let database = try env.d1("DB")
        for message in batch.messages {
            let body: JSONValue
            switch message.body {
            case .json(let value): body = value
            case .text(let text): body = .string(text)
            case .bytes(let bytes): body = .string(Self.hex(bytes))
            }
            if batch.queue == "events", body["fail"]?.boolValue == true {
                ctx.logger.info("retrying n=\(body["n"]?.integerValue ?? 0) attempt \(message.attempts)")
                message.retry()
                continue
            }
            _ = try await database.prepare("INSERT INTO deliveries (queue, body, attempts, at_ms) VALUES (?, ?, ?, ?)")
                .bind(
                    .text(batch.queue),
                    .text(JSONSerializer.string(body)),
                    .integer(Int64(message.attempts)),
                    .integer(env.clock.nowMilliseconds())
                )
                .run()
            ctx.logger.info("delivered \(batch.queue)")
            message.ack()
        }
    }

    func scheduled(_ controller: ScheduledController, env: Env, ctx: ExecutionContext) async throws {
        _ = try await env.d1("DB").prepare("INSERT INTO runs (cron, at_ms) VALUES (?, ?)")
            .bind(.text(controller.cron), .integer(Int64((controller.scheduledTime.timeIntervalSince1970 * 1000).rounded())))
            .run()
        let kv = try env.kv("CACHE")
        ctx.waitUntil {
            try await Task.sleep(for: .milliseconds(20))
            try await kv.put("cron-background", String(Int64((controller.scheduledTime.timeIntervalSince1970 * 1000).rounded())))
        }
        ctx.logger.info("cron \(controller.cron) ran")
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}

// MARK: - The project on disk

/// A temporary project: the engine worker's configs, migrations and `.dev.vars`, and fixtures
/// written under `fixtures/`. Removed when released.
final class EngineProject: Sendable {
    let root: String

    static var registry: WorkerRegistry {
        var registry = WorkerRegistry()
        registry.register("engine", EngineWorker())
        return registry
    }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("replay-engine-\(UUID().uuidString)").path
        let bindings = """
            [[kv_namespaces]]
            binding = "CACHE"
            id = "cache"

            [[kv_namespaces]]
            binding = "CACHE2"
            id = "cache2"

            [[d1_databases]]
            binding = "DB"
            database_name = "engine"
            database_id = "engine"
            migrations_dir = "MIGRATIONS"

            [[queues.producers]]
            binding = "EVENTS"
            queue = "events"

            [[queues.consumers]]
            queue = "events"
            max_batch_size = 5
            max_retries = 1
            retry_delay = 30
            dead_letter_queue = "events-dlq"

            [[queues.consumers]]
            queue = "events-dlq"
            max_retries = 0

            [triggers]
            crons = ["0 * * * *"]
            """
        let engine = """
            name = "engine"
            main = "engine"
            compatibility_date = "2026-01-01"

            [vars]
            GREETING = "hello"
            VERSION = "1"

            \(bindings.replacingOccurrences(of: "MIGRATIONS", with: "migrations"))

            [env.staging.vars]
            GREETING = "hi from staging"
            VERSION = "1"
            """
        // The environment repeats every binding: Wrangler does not inherit them (Cloudflare,
        // "Environments": non-inheritable keys).
        try write(
            "engine.toml",
            engine + "\n\n"
                + bindings.components(separatedBy: "[triggers]")[0]
                .replacingOccurrences(of: "[[", with: "[[env.staging.").replacingOccurrences(of: "MIGRATIONS", with: "migrations"),
            under: root
        )
        try write(
            "engine-v2.toml",
            """
            name = "engine"
            main = "engine"
            compatibility_date = "2026-01-01"

            [vars]
            GREETING = "hello"
            VERSION = "2"

            \(bindings.replacingOccurrences(of: "MIGRATIONS", with: "migrations-v2"))
            """,
            under: root
        )
        try write(
            "wrangler-like.toml",
            """
            name = "engine"
            main = "engine"

            [vars]
            GREETING = "root"

            \(bindings.replacingOccurrences(of: "MIGRATIONS", with: "migrations"))
            """,
            under: root
        )
        try write(".dev.vars", "TOKEN=dev-token\nOTHER=dev-other\n", under: root)
        let initial = """
            CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);
            CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB);
            CREATE TABLE deliveries (seq INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT, body TEXT, attempts INTEGER, at_ms INTEGER);
            CREATE TABLE runs (seq INTEGER PRIMARY KEY AUTOINCREMENT, cron TEXT, at_ms INTEGER);
            """
        try write("migrations/0001_init.sql", initial, under: root)
        try write("migrations-v2/0001_init.sql", initial, under: root)
        try write("migrations-v2/0002_v2.sql", "ALTER TABLE notes ADD COLUMN v2 INTEGER;", under: root)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    private func write(_ name: String, _ text: String, under folder: String) throws {
        let path = (folder as NSString).appendingPathComponent(name)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true
        )
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// Where the fixture `name` lives.
    func fixturePath(_ name: String) -> String {
        root + "/fixtures/" + name
    }

    /// Writes a fixture (a path starting with `Fixtures/` lands beside the configs) and returns its path.
    @discardableResult
    func write(_ name: String, _ json: String) throws -> String {
        let path = name.hasPrefix("Fixtures/") ? root + "/" + name : fixturePath(name)
        try write((path as NSString).lastPathComponent, json, under: (path as NSString).deletingLastPathComponent)
        return path
    }

    /// Writes and runs one fixture with the engine worker.
    func run(_ name: String, _ json: String, environment: [String: String] = [:]) async throws -> FixtureResult {
        let path = try write(name, json)
        let runner = FixtureRunner(projectRoot: root, registry: Self.registry, environment: environment)
        return try #require(await runner.run(path: path))
    }

    struct CLIRun {
        var status: Int32
        var output: String
        var errors: String
    }

    /// `drover ARGUMENTS` through the CLI's entry point, output captured.
    func cli(_ arguments: [String], in directory: String? = nil) async -> CLIRun {
        let output = CapturingSink()
        let errors = CapturingSink()
        let context = CLIContext(
            standardOutput: output,
            standardError: errors,
            workingDirectory: directory ?? root,
            registry: Self.registry,
            environment: [:]
        )
        let status = await DroverCommandLine.run(arguments, context: context)
        return CLIRun(status: status, output: output.text, errors: errors.text)
    }
}
