import Foundation
import Synchronization
import Testing

@testable import Drover

@Suite("Env")
struct EnvTests {
    @Test("a missing binding names the binding, its kind and the config file")
    func missing() {
        let env = TestSupport.makeEnv()
        #expect(throws: WorkerError.bindingMissing("SESSIONS", kind: "KV namespace", configFile: "test.toml")) {
            try env.kv("SESSIONS")
        }
        do {
            _ = try env.d1("DB")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)" == "no D1 database binding named \"DB\": add it to test.toml")
        }
        #expect(throws: WorkerError.self) { try env.queue("EMAILS") }
        #expect(throws: WorkerError.self) { try env.service("AUTH") }
        #expect(throws: WorkerError.self) { try env.secret("API_KEY") }
    }

    @Test("a missing secret says to put it in the .dev.vars beside the config, not in the config")
    func missingSecret() {
        let env = Env(
            bindings: [:], vars: Vars([:]), fetch: OfflineFetcher(), clock: ManualWallClock(Date(timeIntervalSince1970: 0)),
            configFile: "/work/app/wrangler-like.toml")
        do {
            _ = try env.secret("API_KEY")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)" == "no secret named \"API_KEY\": add a line API_KEY=... to /work/app/.dev.vars, or run drover secret put API_KEY")
        }
    }

    @Test("a binding of another kind says what it is")
    func wrongKind() {
        let env = TestSupport.makeEnv(bindings: ["TOKEN": .secret("s3cret")])
        do {
            _ = try env.kv("TOKEN")
            Issue.record("expected an error")
        } catch {
            let message = "\(error)"
            #expect(message == "binding \"TOKEN\" in test.toml is a secret, not a KV namespace")
            #expect(!message.contains("s3cret"))
        }
        let service = TestSupport.makeEnv(bindings: ["GATEWAY": .service(OfflineFetcher())])
        #expect(throws: WorkerError.bindingKind("GATEWAY", expected: "secret", actual: "service", configFile: "test.toml")) {
            try service.secret("GATEWAY")
        }
        #expect(service.bindingNames == ["GATEWAY"])
    }

    @Test("vars read as text (strings as they are, the rest as JSON) and as JSON")
    func vars() {
        let env = TestSupport.makeEnv(vars: ["API_VERSION": "v2", "LIMIT": 10, "FLAGS": ["a": true], "LIST": [1, "x"]])
        #expect(env.vars["API_VERSION"] == "v2")
        #expect(env.vars["LIMIT"] == "10")
        #expect(env.vars["FLAGS"] == "{\"a\":true}")
        #expect(env.vars["LIST"] == "[1,\"x\"]")
        #expect(env.vars["MISSING"] == nil)
        #expect(env.vars.json("FLAGS")?["a"] == true)
        #expect(env.vars.json("LIMIT") == 10)
        #expect(env.vars.names == ["API_VERSION", "FLAGS", "LIMIT", "LIST"])
    }

    @Test("reading a secret tells the observer its name, never its value")
    func secretObserver() throws {
        let reads = Mutex<[String]>([])
        var env = TestSupport.makeEnv(bindings: ["API_KEY": .secret("k-123")])
        env.onSecretRead = { name in reads.withLock { $0.append(name) } }
        #expect(try env.secret("API_KEY") == "k-123")
        #expect(try env.secret("API_KEY") == "k-123")
        #expect(throws: WorkerError.self) { try env.secret("OTHER") }
        #expect(reads.withLock { $0 } == ["API_KEY", "API_KEY"])
    }

    @Test("setBinding adds and replaces; now reads the injected clock")
    func bindingsAndClock() throws {
        var env = TestSupport.makeEnv()
        env.setBinding("S", .secret("one"))
        env.setBinding("S", .secret("two"))
        #expect(try env.secret("S") == "two")
        #expect(env.now == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(env.clock.nowMilliseconds() == 1_700_000_000_000)
    }
}
