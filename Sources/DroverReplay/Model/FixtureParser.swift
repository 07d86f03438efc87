import Drover
import Foundation

/// Turns a fixture document into a ``Fixture``, collecting every problem with its JSON path
/// instead of stopping at the first. Unknown keys are problems at every level: a typo must not
/// make a check silently vanish (Docs/fixtures.md).
struct FixtureParser {
    let file: String
    private(set) var issues: [FixtureIssue] = []
    /// Objects with an unknown key: a missing required choice there is most likely that typo, so
    /// it is not reported twice.
    private var objectsWithUnknownKeys: Set<JSONPath> = []

    init(file: String) {
        self.file = file
    }

    // MARK: - Top level

    mutating func fixture(_ document: JSONValue) -> Fixture? {
        guard let top = object(document, .root, allowed: Fixture.topLevelKeys, what: "top-level key") else { return nil }
        let name = string(required(top, "name", .root), JSONPath("name"))
        let config = string(top["config"], JSONPath("config"))
        let env = string(top["env"], JSONPath("env"))
        var now = FixtureTime.defaultNow
        if let text = string(top["now"], JSONPath("now")) {
            if let date = FixtureTime.parseTimestamp(text) {
                now = date
            } else {
                report(JSONPath("now"), "expected an RFC 3339 timestamp such as \"2026-01-01T00:00:00Z\", got \(quoted(text))")
            }
        }
        let secrets = top["secrets"].flatMap { stringPairs($0, JSONPath("secrets")) }
        var vars = JSONObject()
        if let value = top["vars"], let object = object(value, JSONPath("vars")) { vars = object }
        let given = top["given"].map { self.given($0) } ?? FixtureGiven()
        var upstream: [UpstreamEntry] = []
        if let value = top["upstream"], let list = array(value, JSONPath("upstream")) {
            for (index, element) in list.enumerated() {
                if let entry = upstreamEntry(element, index: index) { upstream.append(entry) }
            }
        }
        let upstreamStrict = bool(top["upstreamStrict"], JSONPath("upstreamStrict")) ?? true
        var steps: [FixtureStep] = []
        if let value = required(top, "steps", .root), let list = array(value, JSONPath("steps")) {
            if list.isEmpty { report(JSONPath("steps"), "expected at least one step") }
            for (index, element) in list.enumerated() {
                if let step = step(element, index: index) { steps.append(step) }
            }
        }
        let expect = top["expect"].flatMap { finalExpectation($0) }
        guard let name else { return nil }
        return Fixture(
            file: file,
            name: name,
            config: config,
            env: env,
            now: now,
            secrets: secrets,
            vars: vars,
            given: given,
            upstream: upstream,
            upstreamStrict: upstreamStrict,
            steps: steps,
            expect: expect,
            source: document
        )
    }

    // MARK: - given

    private mutating func given(_ value: JSONValue) -> FixtureGiven {
        var given = FixtureGiven()
        let path = JSONPath("given")
        guard let top = object(value, path, allowed: ["kv", "d1", "queues", "durableObjects"]) else { return given }
        if let kv = top["kv"], let bindings = object(kv, path.appending("kv")) {
            for (binding, list) in bindings {
                let bindingPath = path.appending("kv").appending(binding)
                guard let list = array(list, bindingPath) else { continue }
                var entries: [KVSeedEntry] = []
                for (index, element) in list.enumerated() {
                    if let entry = kvSeedEntry(element, bindingPath.appending(index)) { entries.append(entry) }
                }
                given.kv.append((binding, entries))
            }
        }
        if let d1 = top["d1"], let bindings = object(d1, path.appending("d1")) {
            for (binding, list) in bindings {
                let bindingPath = path.appending("d1").appending(binding)
                guard let list = array(list, bindingPath) else { continue }
                let statements = list.enumerated().compactMap { string($0.element, bindingPath.appending($0.offset)) }
                given.d1.append((binding, statements))
            }
        }
        if let queues = top["queues"], let bindings = object(queues, path.appending("queues")) {
            for (queue, list) in bindings {
                let queuePath = path.appending("queues").appending(queue)
                guard let list = array(list, queuePath) else { continue }
                var messages: [QueueSeedMessage] = []
                for (index, element) in list.enumerated() {
                    if let message = queueSeedMessage(element, queuePath.appending(index)) { messages.append(message) }
                }
                given.queues.append((queue, messages))
            }
        }
        if let durableObjects = top["durableObjects"], let bindings = object(durableObjects, path.appending("durableObjects")) {
            for (binding, objects) in bindings {
                let bindingPath = path.appending("durableObjects").appending(binding)
                guard let objects = object(objects, bindingPath) else { continue }
                var seeds: [DurableObjectSeed] = []
                for (name, value) in objects {
                    let objectPath = bindingPath.appending(name)
                    guard let seed = object(value, objectPath, allowed: DurableObjectSeed.keys) else { continue }
                    let storage = seed["storage"].flatMap { object($0, objectPath.appending("storage")) }
                    let sql = seed["sql"].flatMap { array($0, objectPath.appending("sql")) }?.enumerated().compactMap {
                        string($0.element, objectPath.appending("sql").appending($0.offset))
                    }
                    let alarm = integer(seed["alarm"], objectPath.appending("alarm"), minimum: 1).map(Int64.init)
                    seeds.append(DurableObjectSeed(object: name, storage: storage, sql: sql ?? [], alarm: alarm, path: objectPath))
                }
                given.durableObjects.append((binding, seeds))
            }
        }
        return given
    }

    private mutating func kvSeedEntry(_ value: JSONValue, _ path: JSONPath) -> KVSeedEntry? {
        let keys = ["key", "value", "json", "base64", "expiration", "expirationTtl", "metadata"]
        guard let entry = object(value, path, allowed: keys) else { return nil }
        let key = string(required(entry, "key", path), path.appending("key"))
        var stored: KVSeedEntry.Value?
        switch exactlyOne(of: ["value", "json", "base64"], in: entry, path) {
        case "value": stored = string(entry["value"], path.appending("value")).map { .text($0) }
        case "json": stored = entry["json"].map { .json($0) }
        case "base64": stored = base64(entry["base64"], path.appending("base64")).map { .bytes($0) }
        default: break
        }
        let expiration = integer(entry["expiration"], path.appending("expiration"), minimum: 0)
        let expirationTtl = integer(entry["expirationTtl"], path.appending("expirationTtl"), minimum: 0)
        guard let key, let stored else { return nil }
        return KVSeedEntry(
            key: key,
            value: stored,
            expiration: expiration.map(Int64.init),
            expirationTtl: expirationTtl.map(Int64.init),
            metadata: entry["metadata"],
            path: path
        )
    }

    private mutating func queueSeedMessage(_ value: JSONValue, _ path: JSONPath) -> QueueSeedMessage? {
        guard let message = object(value, path, allowed: ["body", "contentType"]) else { return nil }
        guard let body = required(message, "body", path) else { return nil }
        let contentType = string(message["contentType"], path.appending("contentType"))
        if let contentType {
            if !QueueSeedMessage.contentTypes.contains(contentType) {
                report(
                    path.appending("contentType"),
                    "expected one of \(QueueSeedMessage.contentTypes.map(quoted).joined(separator: ", ")), got \(quoted(contentType))"
                )
                return nil
            }
            if contentType == "text", string(body, path.appending("body")) == nil { return nil }
            if contentType == "bytes", base64(body, path.appending("body")) == nil { return nil }
        }
        return QueueSeedMessage(body: body, contentType: contentType, path: path)
    }

    // MARK: - upstream

    private mutating func upstreamEntry(_ value: JSONValue, index: Int) -> UpstreamEntry? {
        let path = JSONPath("upstream").appending(index)
        guard let entry = object(value, path, allowed: ["request", "response", "times"]) else { return nil }
        let pattern = required(entry, "request", path).flatMap { upstreamRequest($0, path.appending("request")) }
        let answer = required(entry, "response", path).flatMap { upstreamResponse($0, path.appending("response")) }
        var times = UpstreamEntry.Times.count(1)
        if let value = entry["times"] {
            if value == .string("any") {
                times = .any
            } else if case .integer(let count) = value, count >= 1, count <= Int64(Int.max) {
                times = .count(Int(count))
            } else {
                report(path.appending("times"), "expected a positive integer or \"any\", got \(describe(value))")
                return nil
            }
        }
        guard let pattern, let answer else { return nil }
        return UpstreamEntry(index: index, request: pattern, outcome: answer.outcome, delayMilliseconds: answer.delay, times: times)
    }

    private mutating func upstreamRequest(_ value: JSONValue, _ path: JSONPath) -> UpstreamEntry.RequestPattern? {
        guard let request = object(value, path, allowed: ["method", "url", "headers", "bodyJson", "body"]) else { return nil }
        let method = string(required(request, "method", path), path.appending("method"))
        var url: String?
        if let text = string(required(request, "url", path), path.appending("url")) {
            // Spelled as the runtime spells `Request.url` (scheme lower-cased, fragment dropped), so
            // matching compares like with like.
            if let parsed = try? Request(url: text) {
                url = parsed.url
            } else {
                report(path.appending("url"), "expected an absolute http(s) URL, got \(quoted(text))")
            }
        }
        let headers = request["headers"].flatMap { stringPairs($0, path.appending("headers")) } ?? []
        if request["bodyJson"] != nil, request["body"] != nil {
            report(path, "expected at most one of \"bodyJson\", \"body\", got both")
            return nil
        }
        let bodyText = string(request["body"], path.appending("body"))
        guard let method, let url else { return nil }
        return UpstreamEntry.RequestPattern(
            method: UpstreamEntry.normalizedMethod(method),
            url: url,
            headers: headers,
            bodyJSON: request["bodyJson"],
            bodyText: bodyText
        )
    }

    private mutating func upstreamResponse(_ value: JSONValue, _ path: JSONPath) -> (outcome: UpstreamEntry.Outcome, delay: Int)? {
        let keys = ["status", "headers", "body", "json", "base64", "error", "delayMs"]
        guard let response = object(value, path, allowed: keys) else { return nil }
        let delay = integer(response["delayMs"], path.appending("delayMs"), minimum: 0) ?? 0
        if let error = response["error"] {
            for key in ["status", "headers", "body", "json", "base64"] where response[key] != nil {
                report(path.appending(key), "not allowed beside \"error\" (a transport failure has no response)")
                return nil
            }
            switch error {
            case .string("timeout"): return (.failure(.timeout), delay)
            case .string("connection"): return (.failure(.connection), delay)
            default:
                report(path.appending("error"), "expected \"timeout\" or \"connection\", got \(describe(error))")
                return nil
            }
        }
        let status = integer(response["status"], path.appending("status"), minimum: 100, maximum: 599) ?? 200
        var headers = Headers(stringPairs(response["headers"] ?? .object(JSONObject()), path.appending("headers")) ?? [])
        guard let body = body(response, path, allowNone: true) else { return nil }
        if body.isJSON, !headers.contains("content-type") { headers.set("content-type", "application/json") }
        return (.response(status: status, headers: headers, body: body.bytes), delay)
    }

    // MARK: - steps

    private mutating func step(_ value: JSONValue, index: Int) -> FixtureStep? {
        let path = JSONPath("steps").appending(index)
        guard let step = object(value, path) else { return nil }
        let actions = step.keys.filter { FixtureStep.actionKeys.contains($0) }
        for key in step.keys where !FixtureStep.actionKeys.contains(key) && key != "expect" {
            objectsWithUnknownKeys.insert(path)
            report(
                path.appending(key),
                "unknown step kind \(quoted(key)) (a step is one of \(FixtureStep.actionKeys.joined(separator: ", ")))"
            )
        }
        guard actions.count == 1, let kind = actions.first else {
            if actions.isEmpty, objectsWithUnknownKeys.contains(path) { return nil }
            let found = actions.isEmpty ? "none" : actions.joined(separator: " and ")
            report(path, "expected exactly one action key (\(FixtureStep.actionKeys.joined(separator: ", "))), found \(found)")
            return nil
        }
        if step["expect"] != nil, kind != "request" {
            report(path.appending("expect"), "only a request step may carry \"expect\"")
        }
        let actionPath = path.appending(kind)
        let value = step[kind]!
        switch kind {
        case "request":
            let request = fixtureRequest(value, actionPath)
            let expect = step["expect"].map { responseExpectation($0, path.appending("expect")) }
            guard let request else { return nil }
            return FixtureStep(index: index, action: .request(request, expect: expect ?? nil))
        case "drainQueues":
            if value == .bool(true) { return FixtureStep(index: index, action: .drainQueues(nil)) }
            guard case .array(let list) = value, !list.isEmpty else {
                report(actionPath, "expected true or a non-empty list of queue names, got \(describe(value))")
                return nil
            }
            let names = list.enumerated().compactMap { string($0.element, actionPath.appending($0.offset)) }
            guard names.count == list.count else { return nil }
            return FixtureStep(index: index, action: .drainQueues(names))
        case "advance":
            guard let text = string(value, actionPath) else { return nil }
            guard let seconds = FixtureTime.parseDuration(text) else {
                report(actionPath, "expected a duration: a number and a unit s, m, h or d (\"90s\", \"15m\", \"2h\", \"1d\"), got \(quoted(text))")
                return nil
            }
            return FixtureStep(index: index, action: .advance(seconds))
        case "scheduled":
            guard let cron = nonEmptyString(value, actionPath) else { return nil }
            return FixtureStep(index: index, action: .scheduled(cron))
        default:
            guard let config = nonEmptyString(value, actionPath) else { return nil }
            return FixtureStep(index: index, action: .deploy(config))
        }
    }

    private mutating func fixtureRequest(_ value: JSONValue, _ path: JSONPath) -> FixtureRequest? {
        guard let request = object(value, path, allowed: ["method", "path", "headers", "body", "json", "base64"]) else { return nil }
        let method = request["method"] == nil ? "GET" : nonEmptyString(request["method"]!, path.appending("method"))
        var target: String?
        if let text = string(required(request, "path", path), path.appending("path")) {
            if text.hasPrefix("/") {
                target = text
            } else {
                report(path.appending("path"), "expected a path starting with \"/\", got \(quoted(text))")
            }
        }
        let headers = request["headers"].flatMap { stringPairs($0, path.appending("headers")) } ?? []
        let body = body(request, path, allowNone: true)
        guard let method, let target, let body else { return nil }
        return FixtureRequest(method: method, path: target, headers: Headers(headers), body: body.bytes, bodyIsJSON: body.isJSON)
    }

    private mutating func responseExpectation(_ value: JSONValue, _ path: JSONPath) -> ResponseExpectation? {
        guard let object = object(value, path, allowed: ResponseExpectation.keys) else { return nil }
        var expectation = ResponseExpectation(path: path)
        expectation.status = integer(object["status"], path.appending("status"), minimum: 100, maximum: 599)
        expectation.headers = object["headers"].flatMap { stringPairs($0, path.appending("headers")) } ?? []
        expectation.json = object["json"]
        expectation.jsonSubset = object["jsonSubset"]
        expectation.body = string(object["body"], path.appending("body"))
        expectation.bodyContains = string(object["bodyContains"], path.appending("bodyContains"))
        return expectation
    }

    // MARK: - expect

    private mutating func finalExpectation(_ value: JSONValue) -> FinalExpectation? {
        let path = FinalExpectation.path
        guard let top = object(value, path, allowed: FinalExpectation.keys) else { return nil }
        var expectation = FinalExpectation()
        if let kv = top["kv"], let bindings = object(kv, path.appending("kv")) {
            for (binding, keys) in bindings {
                let bindingPath = path.appending("kv").appending(binding)
                guard let keys = object(keys, bindingPath) else { continue }
                for (key, check) in keys {
                    if let check = kvCheck(check, bindingPath.appending(key)) {
                        expectation.kv.append(KVEntryExpectation(binding: binding, key: key, check: check, path: bindingPath.appending(key)))
                    }
                }
            }
        }
        if let d1 = top["d1"], let list = array(d1, path.appending("d1")) {
            for (index, element) in list.enumerated() {
                let itemPath = path.appending("d1").appending(index)
                guard let item = object(element, itemPath, allowed: D1QueryExpectation.keys) else { continue }
                let database = string(required(item, "db", itemPath), itemPath.appending("db"))
                let query = string(required(item, "query", itemPath), itemPath.appending("query"))
                var rows: [JSONObject]?
                if let value = required(item, "rows", itemPath), let list = array(value, itemPath.appending("rows")) {
                    let objects = list.enumerated().compactMap { object($0.element, itemPath.appending("rows").appending($0.offset)) }
                    if objects.count == list.count { rows = objects }
                }
                if let database, let query, let rows {
                    expectation.d1.append(D1QueryExpectation(database: database, query: query, rows: rows, path: itemPath))
                }
            }
        }
        if let queues = top["queues"], let names = object(queues, path.appending("queues")) {
            for (queue, counts) in names {
                let queuePath = path.appending("queues").appending(queue)
                guard let counts = object(counts, queuePath, allowed: QueueExpectation.keys) else { continue }
                expectation.queues.append(
                    QueueExpectation(
                        queue: queue,
                        pending: integer(counts["pending"], queuePath.appending("pending"), minimum: 0),
                        deadLettered: integer(counts["deadLettered"], queuePath.appending("deadLettered"), minimum: 0),
                        path: queuePath
                    )
                )
            }
        }
        if let durableObjects = top["durableObjects"], let bindings = object(durableObjects, path.appending("durableObjects")) {
            for (binding, objects) in bindings {
                let bindingPath = path.appending("durableObjects").appending(binding)
                guard let objects = object(objects, bindingPath) else { continue }
                for (name, value) in objects {
                    let objectPath = bindingPath.appending(name)
                    guard let check = object(value, objectPath, allowed: DurableObjectExpectation.keys) else { continue }
                    let storage = check["storage"].flatMap { object($0, objectPath.appending("storage")) }
                    var alarm: JSONValue?
                    if let value = check["alarm"] {
                        switch value {
                        case .null, .integer: alarm = value
                        default: typeMismatch(objectPath.appending("alarm"), expected: "an integer or null", got: value)
                        }
                    }
                    var queries: [D1QueryExpectation] = []
                    if let list = check["sql"].flatMap({ array($0, objectPath.appending("sql")) }) {
                        for (index, element) in list.enumerated() {
                            let itemPath = objectPath.appending("sql").appending(index)
                            guard let item = object(element, itemPath, allowed: ["query", "rows"]) else { continue }
                            let query = string(required(item, "query", itemPath), itemPath.appending("query"))
                            var rows: [JSONObject]?
                            if let value = required(item, "rows", itemPath), let list = array(value, itemPath.appending("rows")) {
                                let objects = list.enumerated().compactMap { object($0.element, itemPath.appending("rows").appending($0.offset)) }
                                if objects.count == list.count { rows = objects }
                            }
                            if let query, let rows { queries.append(D1QueryExpectation(database: binding, query: query, rows: rows, path: itemPath)) }
                        }
                    }
                    expectation.durableObjects.append(
                        DurableObjectExpectation(binding: binding, object: name, storage: storage, alarm: alarm, sql: queries, path: objectPath))
                }
            }
        }
        expectation.upstreamCalls = integer(top["upstreamCalls"], path.appending("upstreamCalls"), minimum: 0)
        expectation.logsContain = stringList(top["logsContain"], path.appending("logsContain"))
        expectation.logsNotContain = stringList(top["logsNotContain"], path.appending("logsNotContain"))
        return expectation
    }

    private mutating func kvCheck(_ value: JSONValue, _ path: JSONPath) -> KVEntryExpectation.Check? {
        guard let check = object(value, path, allowed: KVEntryExpectation.keys) else { return nil }
        switch exactlyOne(of: KVEntryExpectation.keys, in: check, path) {
        case "value": return string(check["value"], path.appending("value")).map { .text($0) }
        case "json": return check["json"].map { .json($0) }
        case "jsonSubset": return check["jsonSubset"].map { .jsonSubset($0) }
        case "base64": return base64(check["base64"], path.appending("base64")).map { .bytes($0) }
        case "absent":
            guard check["absent"] == .bool(true) else {
                report(path.appending("absent"), "expected true, got \(describe(check["absent"]!))")
                return nil
            }
            return .absent
        default: return nil
        }
    }

    // MARK: - Typed readers

    /// The body of a request or response: at most one of `body` (text), `json`, `base64`.
    private mutating func body(_ object: JSONObject, _ path: JSONPath, allowNone: Bool) -> (bytes: [UInt8], isJSON: Bool)? {
        let present = ["body", "json", "base64"].filter { object[$0] != nil }
        if present.count > 1 {
            report(path, "expected at most one of \"body\", \"json\", \"base64\", got \(present.map(quoted).joined(separator: " and "))")
            return nil
        }
        switch present.first {
        case "body": return string(object["body"], path.appending("body")).map { (Array($0.utf8), false) }
        case "json": return (JSONSerializer.bytes(object["json"]!), true)
        case "base64": return base64(object["base64"], path.appending("base64")).map { ($0, false) }
        default: return ([], false)
        }
    }

    /// The one key of `keys` that `object` has, reporting none or several.
    private mutating func exactlyOne(of keys: [String], in object: JSONObject, _ path: JSONPath) -> String? {
        let present = keys.filter { object[$0] != nil }
        guard present.count == 1 else {
            if present.isEmpty, objectsWithUnknownKeys.contains(path) { return nil }
            let found = present.isEmpty ? "none" : present.map(quoted).joined(separator: " and ")
            report(path, "expected exactly one of \(keys.map(quoted).joined(separator: ", ")), got \(found)")
            return nil
        }
        return present[0]
    }

    private mutating func required(_ object: JSONObject, _ key: String, _ path: JSONPath) -> JSONValue? {
        guard let value = object[key] else {
            report(path.appending(key), "required")
            return nil
        }
        return value
    }

    private mutating func object(_ value: JSONValue, _ path: JSONPath, allowed: [String]? = nil, what: String = "key") -> JSONObject? {
        guard case .object(let object) = value else {
            typeMismatch(path, expected: "an object", got: value)
            return nil
        }
        if let allowed {
            for key in object.keys where !allowed.contains(key) {
                objectsWithUnknownKeys.insert(path)
                report(path.appending(key), "unknown \(what) (expected one of \(allowed.joined(separator: ", ")))")
            }
        }
        return object
    }

    private mutating func array(_ value: JSONValue, _ path: JSONPath) -> [JSONValue]? {
        guard case .array(let elements) = value else {
            typeMismatch(path, expected: "an array", got: value)
            return nil
        }
        return elements
    }

    private mutating func string(_ value: JSONValue?, _ path: JSONPath) -> String? {
        guard let value else { return nil }
        guard case .string(let text) = value else {
            typeMismatch(path, expected: "a string", got: value)
            return nil
        }
        return text
    }

    private mutating func nonEmptyString(_ value: JSONValue, _ path: JSONPath) -> String? {
        guard let text = string(value, path) else { return nil }
        if text.isEmpty {
            report(path, "expected a non-empty string")
            return nil
        }
        return text
    }

    private mutating func bool(_ value: JSONValue?, _ path: JSONPath) -> Bool? {
        guard let value else { return nil }
        guard case .bool(let flag) = value else {
            typeMismatch(path, expected: "a boolean", got: value)
            return nil
        }
        return flag
    }

    private mutating func integer(_ value: JSONValue?, _ path: JSONPath, minimum: Int64, maximum: Int64 = .max) -> Int? {
        guard let value else { return nil }
        guard case .integer(let number) = value else {
            if case .double = value {
                report(path, "expected an integer, got \(value)")
            } else {
                typeMismatch(path, expected: "an integer", got: value)
            }
            return nil
        }
        guard number >= minimum, number <= maximum, let result = Int(exactly: number) else {
            let range = maximum == .max ? "at least \(minimum)" : "from \(minimum) to \(maximum)"
            report(path, "expected an integer \(range), got \(number)")
            return nil
        }
        return result
    }

    private mutating func base64(_ value: JSONValue?, _ path: JSONPath) -> [UInt8]? {
        guard let text = string(value, path) else { return nil }
        guard let data = Data(base64Encoded: text) else {
            report(path, "expected base64 text, got \(quoted(text))")
            return nil
        }
        return Array(data)
    }

    private mutating func stringPairs(_ value: JSONValue, _ path: JSONPath) -> [(name: String, value: String)]? {
        guard let object = object(value, path) else { return nil }
        var pairs: [(name: String, value: String)] = []
        for (key, member) in object {
            if let text = string(member, path.appending(key)) { pairs.append((key, text)) }
        }
        return pairs.count == object.count ? pairs : nil
    }

    private mutating func stringList(_ value: JSONValue?, _ path: JSONPath) -> [String] {
        guard let value, let list = array(value, path) else { return [] }
        return list.enumerated().compactMap { string($0.element, path.appending($0.offset)) }
    }

    // MARK: - Reporting

    private mutating func report(_ path: JSONPath, _ message: String) {
        issues.append(FixtureIssue(file: file, path: path.description, message: message))
    }

    private mutating func typeMismatch(_ path: JSONPath, expected: String, got value: JSONValue) {
        report(path, "expected \(expected), got \(value.kindName)")
    }

    private func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): quoted(text)
        case .integer, .double, .bool, .null: value.description
        default: value.kindName
        }
    }
}

/// A string in double quotes, JSON-escaped, for messages.
func quoted(_ text: String) -> String {
    JSONSerializer.string(.string(text))
}
