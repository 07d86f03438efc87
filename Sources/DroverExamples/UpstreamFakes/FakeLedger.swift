import Drover
import Foundation

/// What the fakes remember, in their KV namespace `FAKES`: every call they received (for
/// `GET /__fakes/calls`) and the failures a user asked for (`POST /__fakes/fail`).
///
/// | key | value |
/// |---|---|
/// | `call:<ms since epoch, 16 digits>:<sequence, 10 digits>:<uuid>` | `{"fake", "method", "url", "status", "at", "detail"?}`, kept a day |
/// | `calls:sequence` | the last sequence number given |
/// | `fail:<fake>` | `{"mode": "429" \| "503" \| "401" \| "timeout", "remaining": N}` |
struct FakeLedger {
    /// The fakes a failure can be asked of.
    static let fakes: Set<String> = ["shopify", "clerk", "email", "payments", "oauth"]
    /// The failures a fake can be asked to answer with.
    static let modes: Set<String> = ["429", "503", "401", "timeout"]

    let kv: any KVNamespace
    let clock: any WallClock

    init(env: Env) throws {
        kv = try env.kv("FAKES")
        clock = env.clock
    }

    /// Records that `fake` answered `request` with `status`; `detail` says what it was asked (an
    /// email's recipient and subject, a payment's amount).
    func record(_ fake: String, _ request: Request, status: Int, detail: JSONValue? = nil) async throws {
        // Ordered by time, then by a counter (calls of one millisecond, or of a frozen clock, keep
        // their order); the UUID keeps two racing calls apart.
        let now = clock.nowMilliseconds()
        let sequence = (try await kv.get("calls:sequence", as: Int.self) ?? 0) + 1
        try await kv.put("calls:sequence", String(sequence))
        let key = "call:" + String(format: "%016lld:%010d:", now, sequence) + Crypto.randomUUID()
        var entry: JSONObject = [
            "fake": .string(fake), "method": .string(request.method), "url": .string(request.url), "status": .integer(Int64(status)),
            "at": .string(ISO8601DateFormatter().string(from: clock.now())),
        ]
        if let detail { entry["detail"] = detail }
        try await kv.put(key, json: .object(entry), options: KVPutOptions(expirationTtl: 86_400))
    }

    /// The calls recorded, oldest first (at most the last 1 000).
    func calls() async throws -> [JSONValue] {
        var names: [String] = []
        var cursor: String?
        repeat {
            let page = try await kv.list(prefix: "call:", cursor: cursor)
            names += page.keys.map(\.name)
            cursor = page.listComplete ? nil : page.cursor
        } while cursor != nil
        var calls: [JSONValue] = []
        for name in names.suffix(1_000) {
            if let text = try await kv.get(name), let value = try? JSONParser.parse(text) { calls.append(value) }
        }
        return calls
    }

    /// Forgets every recorded call.
    func clearCalls() async throws -> Int {
        var count = 0
        while true {
            let page = try await kv.list(prefix: "call:")
            if page.keys.isEmpty { return count }
            for key in page.keys { try await kv.delete(key.name) }
            count += page.keys.count
        }
    }

    /// Makes the next `count` calls to `fake` fail with `mode`.
    func fail(_ fake: String, mode: String, count: Int) async throws {
        try await kv.put("fail:" + fake, json: ["mode": .string(mode), "remaining": .integer(Int64(count))])
    }

    /// The failure the current call to `fake` must answer with, if one is pending (and counts it).
    func takeFailure(_ fake: String) async throws -> String? {
        guard let text = try await kv.get("fail:" + fake), let value = try? JSONParser.parse(text),
            let mode = value["mode"]?.stringValue, let remaining = value["remaining"]?.integerValue, remaining > 0
        else { return nil }
        if remaining == 1 {
            try await kv.delete("fail:" + fake)
        } else {
            try await kv.put("fail:" + fake, json: ["mode": .string(mode), "remaining": .integer(remaining - 1)])
        }
        return mode
    }

    /// The answer of a failure `mode`, as the real upstream would send it (`timeout` waits a
    /// minute on the clock first, longer than any caller's timeout should be).
    func failure(_ mode: String, fake: String) async throws -> Response {
        switch mode {
        case "429":
            return Response.json(["errors": .string("Too Many Requests (the fake \(fake), as asked)")], status: 429, headers: ["Retry-After": "2"])
        case "401":
            return Response.json(["errors": .string("Unauthorized (the fake \(fake), as asked)")], status: 401)
        case "timeout":
            try await clock.sleep(for: .seconds(60))
            return Response.json(["errors": .string("the fake \(fake) answered after 60 s, as asked")], status: 504)
        default:
            return Response.json(["errors": .string("Service Unavailable (the fake \(fake), as asked)")], status: 503, headers: ["Retry-After": "1"])
        }
    }
}

extension FakeLedger {
    /// Runs `handler` as the fake `fake` answers a call: a pending failure first, then the
    /// handler; the call is recorded with the status it got.
    static func serve(
        _ fake: String, _ request: Request, _ env: Env, _ handler: () async throws -> (Response, detail: JSONValue?)
    ) async throws -> Response {
        let ledger = try FakeLedger(env: env)
        let response: Response
        var detail: JSONValue?
        if let mode = try await ledger.takeFailure(fake) {
            response = try await ledger.failure(mode, fake: fake)
        } else {
            (response, detail) = try await handler()
        }
        try await ledger.record(fake, request, status: response.status, detail: detail)
        return response
    }

    /// ``serve(_:_:_:_:)`` for a handler with nothing to add to the record.
    static func serve(_ fake: String, _ request: Request, _ env: Env, _ handler: () async throws -> Response) async throws -> Response {
        try await serve(fake, request, env) { (try await handler(), detail: nil) }
    }
}
