import Drover
import DroverTestSupport
import Foundation
import Testing

@testable import DroverIntegrationKit

/// Idempotent runs on a real file-backed KV: executions counted exactly, waits exact on the clock.
@Suite("Idempotency")
struct IdempotencyTests {
    struct Payment: Codable, Equatable {
        var id: String
        var amount: Int
    }

    static let fingerprint = Idempotency.fingerprint(method: "POST", path: "/v1/payments", body: Array(#"{"amount":1000}"#.utf8))

    @Test("the first call runs and stores; a repeat with the same fingerprint answers the result without running")
    func repeatReplays() async throws {
        let namespace = try StateTestNamespace()
        let idempotency = Idempotency(kv: namespace.kv, clock: namespace.clock)
        let runs = Counter()
        for _ in 0..<3 {
            let payment = try await idempotency.run(key: "key-1", fingerprint: Self.fingerprint) {
                Payment(id: "pi_\(runs.increment())", amount: 1000)
            }
            #expect(payment == Payment(id: "pi_1", amount: 1000))
        }
        #expect(runs.count == 1)
        let record = try #require(try await namespace.record("idempotency:key-1"))
        #expect(record["state"] == "completed")
        #expect(record["result"]?["id"] == "pi_1")
        #expect(record["owner"] == nil)
    }

    @Test("the same key with another fingerprint is a 422 conflict, and does not run")
    func conflict() async throws {
        let namespace = try StateTestNamespace()
        let idempotency = Idempotency(kv: namespace.kv, clock: namespace.clock)
        let runs = Counter()
        _ = try await idempotency.run(key: "key-1", fingerprint: Self.fingerprint) { runs.increment() }
        let other = Idempotency.fingerprint(method: "POST", path: "/v1/payments", body: Array(#"{"amount":2000}"#.utf8))
        let error = try await #require(throws: IdempotencyError.self) {
            _ = try await idempotency.run(key: "key-1", fingerprint: other) { runs.increment() }
        }
        #expect(error.code == .conflict)
        #expect(error.status == 422)
        #expect(error.response.status == 422)
        #expect(runs.count == 1)
    }

    @Test("a stored response is replayed byte for byte, marked Idempotent-Replayed")
    func responseReplay() async throws {
        let namespace = try StateTestNamespace()
        let idempotency = Idempotency(kv: namespace.kv, clock: namespace.clock)
        let body = (0...255).map { UInt8($0) } + Array("ünïcode".utf8)
        let headers = Headers([("content-type", "application/octet-stream"), ("set-cookie", "a=1"), ("set-cookie", "b=2"), ("x-id", "")])
        let runs = Counter()
        let make = { @Sendable () async throws -> Response in
            runs.increment()
            return Response(status: 201, headers: headers, body: Body(bytes: body))
        }
        let first = try await idempotency.run(key: "key-1", fingerprint: Self.fingerprint, make)
        let second = try await idempotency.run(key: "key-1", fingerprint: Self.fingerprint, make)
        #expect(runs.count == 1)
        #expect(first.status == 201)
        #expect(first.headers == headers)
        #expect(try await first.bytes() == body)
        #expect(second.status == 201)
        #expect(try await second.bytes() == body)
        var replayedHeaders = headers
        replayedHeaders.append("idempotent-replayed", "true")
        #expect(second.headers == replayedHeaders)
    }

    @Test(
        "concurrent duplicates on a file-backed namespace run the operation exactly once",
        .timeLimit(.minutes(1))  // a hang guard: under the frozen clock a lost lock would spin for ever
    )
    func concurrentDuplicatesRunOnce() async throws {
        let namespace = try StateTestNamespace()
        let clock = FrozenClock(StateTestNamespace.start)
        let kv = try namespace.namespace(clock: clock)
        let runs = Counter()
        let replays = Counter()
        let bodies = await withTaskGroup(of: [UInt8]?.self) { group in
            for _ in 0..<32 {
                group.addTask {
                    // One value per task, as one per request in a worker.
                    let idempotency = Idempotency(kv: kv, clock: clock, pollInterval: .milliseconds(1))
                    let response = try? await idempotency.run(key: "key-1", fingerprint: Self.fingerprint) {
                        let run = runs.increment()
                        // Hold the lock until the duplicates have polled it 100 times between them.
                        while clock.sleepCount < 100 { await Task.yield() }
                        return Response("payment \(run)", status: 201)
                    }
                    if response?.headers["idempotent-replayed"] == "true" { replays.increment() }
                    return try? await response?.bytes()
                }
            }
            var bodies: [[UInt8]?] = []
            for await body in group { bodies.append(body) }
            return bodies
        }
        #expect(runs.count == 1)
        #expect(replays.count == 31)
        #expect(bodies.count == 32)
        #expect(bodies.allSatisfy { $0 == Array("payment 1".utf8) })
    }

    @Test("a duplicate arriving while the first runs waits for it and answers its result")
    func duplicateWaitsForFirst() async throws {
        let namespace = try StateTestNamespace()
        let clock = QueuedSleepClock(StateTestNamespace.start)
        let kv = try namespace.namespace(clock: clock)
        let idempotency = Idempotency(kv: kv, clock: clock, pollInterval: .milliseconds(250))
        let runs = Counter()
        let started = Gate()
        let finish = Gate()
        let first = Task {
            try await idempotency.run(key: "key-1", fingerprint: Self.fingerprint) {
                runs.increment()
                started.open()
                await finish.wait()
                return Payment(id: "pi_1", amount: 1000)
            }
        }
        await started.wait()
        let duplicate = Task {
            try await idempotency.run(key: "key-1", fingerprint: Self.fingerprint) {
                runs.increment()
                return Payment(id: "pi_2", amount: 1000)
            }
        }
        await clock.waitForSleeper()  // the duplicate found the lock and waits
        finish.open()
        #expect(try await first.value == Payment(id: "pi_1", amount: 1000))
        clock.resumeNextSleep()
        #expect(try await duplicate.value == Payment(id: "pi_1", amount: 1000))
        #expect(runs.count == 1)
        #expect(clock.slept == [.milliseconds(250)])
    }

    @Test("a holder that outlives its lock is taken over exactly when the lock expires")
    func expiredLockTakeover() async throws {
        let namespace = try StateTestNamespace()
        let idempotency = Idempotency(
            kv: namespace.kv,
            clock: namespace.clock,
            lockTimeout: .seconds(30),
            waitTimeout: .seconds(60),
            pollInterval: .seconds(1)
        )
        let started = Gate()
        let finish = Gate()
        let stuck = Task {
            try await idempotency.run(key: "key-1", fingerprint: Self.fingerprint) {
                started.open()
                await finish.wait()
                return Payment(id: "pi_stuck", amount: 1000)
            }
        }
        await started.wait()
        let takeover = try await idempotency.run(key: "key-1", fingerprint: Self.fingerprint) { Payment(id: "pi_takeover", amount: 1000) }
        #expect(takeover.id == "pi_takeover")
        #expect(StateTestNamespace.elapsed(namespace.clock) == 30_000_000)
        // The stuck holder finishes later: it returns its own result but keeps the stored one.
        finish.open()
        #expect(try await stuck.value.id == "pi_stuck")
        let replay = try await idempotency.run(key: "key-1", fingerprint: Self.fingerprint) { Payment(id: "pi_third", amount: 1000) }
        #expect(replay.id == "pi_takeover")
    }

    @Test("a duplicate that waits longer than allowed is a 409 with the lock's remaining time")
    func waitRunsOut() async throws {
        let namespace = try StateTestNamespace()
        let idempotency = Idempotency(
            kv: namespace.kv,
            clock: namespace.clock,
            lockTimeout: .seconds(30),
            waitTimeout: .seconds(5),
            pollInterval: .seconds(1)
        )
        let started = Gate()
        let finish = Gate()
        let holder = Task {
            try await idempotency.run(key: "key-1", fingerprint: Self.fingerprint) {
                started.open()
                await finish.wait()
                return 1
            }
        }
        await started.wait()
        let runs = Counter()
        let error = try await #require(throws: IdempotencyError.self) {
            _ = try await idempotency.run(key: "key-1", fingerprint: Self.fingerprint) { runs.increment() }
        }
        #expect(error.code == .inProgress)
        #expect(error.status == 409)
        #expect(error.retryAfter == .seconds(25))
        #expect(error.headers["retry-after"] == "25")
        #expect(StateTestNamespace.elapsed(namespace.clock) == 5_000_000)
        #expect(runs.count == 0)
        finish.open()
        #expect(try await holder.value == 1)
    }

    @Test("a result is answered until its TTL ends, to the microsecond, then the key runs again")
    func resultExpires() async throws {
        let namespace = try StateTestNamespace()
        let idempotency = Idempotency(kv: namespace.kv, clock: namespace.clock)
        let runs = Counter()
        let operation = { @Sendable () async throws -> Int in runs.increment() }
        #expect(try await idempotency.run(key: "key-1", fingerprint: Self.fingerprint, ttl: .seconds(120), operation) == 1)
        let entry = try #require(try await namespace.kv.getWithMetadata("idempotency:key-1"))
        #expect(entry.expiration == Int64(1_767_225_720))
        namespace.clock.advance(by: 119.999_999)
        #expect(try await idempotency.run(key: "key-1", fingerprint: Self.fingerprint, ttl: .seconds(120), operation) == 1)
        namespace.clock.advance(by: 0.000_001)
        #expect(try await idempotency.run(key: "key-1", fingerprint: Self.fingerprint, ttl: .seconds(120), operation) == 2)
        #expect(runs.count == 2)
    }

    @Test("a lock record asks KV for at least the platform's 60 s, its own expiry being exact")
    func lockRecordTTL() async throws {
        let namespace = try StateTestNamespace()
        let idempotency = Idempotency(kv: namespace.kv, clock: namespace.clock, lockTimeout: .seconds(5))
        struct Seen: Codable {
            var expiration: Int64?
            var value: [UInt8]
        }
        let seen = try await idempotency.run(key: "key-1", fingerprint: Self.fingerprint) {
            let entry = try #require(try await namespace.kv.getWithMetadata("idempotency:key-1"))
            return Seen(expiration: entry.expiration, value: entry.value)
        }
        #expect(seen.expiration == Int64(1_767_225_660))
        let record = try JSONParser.parse(seen.value)
        #expect(record["state"] == "running")
        #expect(record["lockedUntil"] == .integer(1_767_225_605_000_000))
    }

    @Test("a failed operation stores nothing and releases the lock, so a retry runs")
    func failureReleasesLock() async throws {
        let namespace = try StateTestNamespace()
        let idempotency = Idempotency(kv: namespace.kv, clock: namespace.clock)
        let runs = Counter()
        await #expect(throws: HTTPError.self) {
            _ = try await idempotency.run(key: "key-1", fingerprint: Self.fingerprint) { () -> Int in
                runs.increment()
                throw HTTPError(502, "upstream failed")
            }
        }
        #expect(try await namespace.kv.get("idempotency:key-1") == nil)
        #expect(try await idempotency.run(key: "key-1", fingerprint: Self.fingerprint) { runs.increment() } == 2)
    }

    @Test("with cachesErrors, a failure is stored and repeats throw it without running")
    func cachedFailure() async throws {
        let namespace = try StateTestNamespace()
        let idempotency = Idempotency(kv: namespace.kv, clock: namespace.clock, cachesErrors: true)
        let runs = Counter()
        struct Opaque: Error {}
        for (key, error, status, message) in [
            ("key-1", HTTPError(402, "card declined") as any Error, 402, "card declined"),
            ("key-2", Opaque(), 500, "internal server error"),
        ] {
            await #expect(throws: (any Error).self) {
                _ = try await idempotency.run(key: key, fingerprint: Self.fingerprint) { () -> Int in
                    runs.increment()
                    throw error
                }
            }
            let replayed = try await #require(throws: IdempotencyError.self) {
                _ = try await idempotency.run(key: key, fingerprint: Self.fingerprint) { runs.increment() }
            }
            #expect(replayed.code == .storedFailure)
            #expect(replayed.status == status)
            #expect(replayed.message == message)
        }
        #expect(runs.count == 2)
    }

    @Test("a cancelled operation is never stored, even with cachesErrors")
    func cancellationIsNotCached() async throws {
        let namespace = try StateTestNamespace()
        let idempotency = Idempotency(kv: namespace.kv, clock: namespace.clock, cachesErrors: true)
        await #expect(throws: CancellationError.self) {
            _ = try await idempotency.run(key: "key-1", fingerprint: Self.fingerprint) { () -> Int in throw CancellationError() }
        }
        #expect(try await namespace.kv.get("idempotency:key-1") == nil)
    }

    @Test("keys must be 1 to 255 bytes; a record that is not the kit's is a 500, not a trap")
    func badKeysAndRecords() async throws {
        let namespace = try StateTestNamespace()
        let idempotency = Idempotency(kv: namespace.kv, clock: namespace.clock)
        let runs = Counter()
        for key in ["", String(repeating: "k", count: 256), String(repeating: "é", count: 128)] {
            let error = try await #require(throws: IdempotencyError.self) {
                _ = try await idempotency.run(key: key, fingerprint: Self.fingerprint) { runs.increment() }
            }
            #expect(error.code == .invalidKey)
            #expect(error.status == 400)
        }
        #expect(try await idempotency.run(key: String(repeating: "k", count: 255), fingerprint: Self.fingerprint) { runs.increment() } == 1)
        for garbage in ["garbage", #"{"state": "running"}"#, #"{"state": "exploded", "fingerprint": "x"}"#] {
            try await namespace.kv.put("idempotency:bad", garbage)
            let error = try await #require(throws: IdempotencyError.self) {
                _ = try await idempotency.run(key: "bad", fingerprint: Self.fingerprint) { runs.increment() }
            }
            #expect(error.code == .corruptRecord)
            #expect(error.status == 500)
        }
        #expect(runs.count == 1)
    }

    @Test("fingerprints are SHA-256 over method, path and body, in hex or base64url")
    func fingerprints() async throws {
        #expect(Self.fingerprint == "ea1737cef3a2895dc251da27c6bab1e1b1c8086511911e9f5e58576fdd4d9001")
        #expect(
            Idempotency.fingerprint(method: "POST", path: "/v1/payments", body: Array(#"{"amount":1000}"#.utf8), encoding: .base64url)
                == "6hc3zvOiiV3CUdonxrqx4bHICGURkR6fXlhXb91NkAE"
        )
        #expect(Idempotency.fingerprint(method: "GET", path: "", body: []) == "70b45b31803ea621857f2d58a697c4af72c23fd2eb9fd756b569b649880d2338")
        let request = try Request(url: "https://example.com/v1/payments", method: "POST", body: Body(text: #"{"amount":1000}"#))
        #expect(try await Idempotency.fingerprint(of: request) == Self.fingerprint)
        // Moving bytes between the parts changes the fingerprint.
        #expect(Idempotency.fingerprint(method: "POST", path: "/v1/payments{", body: Array(#""amount":1000}"#.utf8)) != Self.fingerprint)
    }
}
