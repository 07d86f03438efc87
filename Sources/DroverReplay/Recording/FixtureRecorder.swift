import Drover
import Foundation

/// Builds the fixture `drover dev --record DIR` writes for one incoming request (Docs/fixtures.md,
/// "Recording"): the request as a step whose `expect` is the response, every outbound call as an
/// `upstream` entry, `now` at the request's time, and `secrets` listing each secret the worker
/// read, or whose value was redacted, as `"${NAME}"`.
///
/// Every occurrence of a secret's value in a recorded path, URL, header or body, in any form
/// ``SecretRedactor`` knows, is replaced by its placeholder before anything is parsed, encoded or
/// named. A body that is not UTF-8 is redacted as bytes, the placeholder written as its ASCII
/// bytes `${NAME}`, then stored as `base64`; replay resolves placeholders inside decoded `base64`
/// values too (``SecretPlaceholderResolver``), so such a body round-trips.
///
/// Credentials that are not secret bindings are left out unless ``keepsSensitiveHeaders``: the
/// incoming request's ``sensitiveRequestHeaders`` and the upstream responses'
/// ``sensitiveResponseHeaders``.
package struct FixtureRecorder: Sendable {
    /// Lower-cased names of outbound request headers recorded for matching (for example
    /// `idempotency-key`); all others are left out so replays do not depend on volatile values.
    package var matchedRequestHeaders: Set<String>

    /// Whether ``sensitiveRequestHeaders`` and ``sensitiveResponseHeaders`` are recorded
    /// (`drover dev --record-sensitive-headers`); secret values in them are still redacted.
    package var keepsSensitiveHeaders: Bool

    /// Headers never recorded: hop-by-hop fields (RFC 9110 §7.6.1), `host` and the framing the
    /// replay recomputes (`content-length`), and `content-encoding` (the recorded body is decoded).
    package static let unrecordedHeaders: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host",
        "content-length", "content-encoding",
    ]

    /// Incoming request headers carrying the client's credentials (RFC 9110 §11.6.2, §11.7.2;
    /// RFC 6265 §5.4), left out of recordings unless ``keepsSensitiveHeaders``: a user's session or
    /// token is not a secret binding, so no placeholder could stand for it.
    package static let sensitiveRequestHeaders: Set<String> = ["authorization", "proxy-authorization", "cookie"]

    /// Upstream response headers carrying credentials the upstream issued (RFC 6265 §4.1), left
    /// out unless ``keepsSensitiveHeaders``. A worker's own response records only `content-type`.
    package static let sensitiveResponseHeaders: Set<String> = ["set-cookie"]

    /// Creates a recorder that records the outbound request headers named in `matchedRequestHeaders`.
    package init(matchedRequestHeaders: [String] = [], keepsSensitiveHeaders: Bool = false) {
        self.matchedRequestHeaders = Set(matchedRequestHeaders.map { $0.lowercased() })
        self.keepsSensitiveHeaders = keepsSensitiveHeaders
    }

    /// The fixture for one request.
    /// - Parameters:
    ///   - request: the incoming request (``RecordedMessage/target`` is the path and query).
    ///   - response: the worker's response.
    ///   - exchanges: the outbound calls made while serving it, in order.
    ///   - secretsRead: the names of the secrets the worker read.
    ///   - secretValues: every secret's value by name; none is written, each is redacted.
    ///   - time: when the request arrived (the fixture's `now`).
    ///   - config: the `config` to write (relative to DIR, or `/`-rooted), or `nil` for the default.
    ///   - env: the config environment, if any.
    package func fixture(
        request: RecordedMessage,
        response: RecordedMessage,
        exchanges: [RecordedExchange],
        secretsRead: [String],
        secretValues: [String: String],
        time: Date,
        config: String? = nil,
        env: String? = nil
    ) -> JSONValue {
        let redactor = SecretRedactor(secrets: secretValues)
        var found: Set<String> = []
        let target = redactor.redact(request.target, found: &found)
        var top = JSONObject()
        top["name"] = .string("\(request.method) \(target)")
        if let config { top["config"] = .string(config) }
        if let env { top["env"] = .string(env) }
        top["now"] = .string(Self.timestamp(time))

        var upstream: [JSONValue] = []
        for exchange in exchanges { upstream.append(upstreamEntry(exchange, redactor: redactor, found: &found)) }

        var step = JSONObject()
        var requestObject = JSONObject()
        requestObject["method"] = .string(request.method)
        requestObject["path"] = .string(target)
        let requestHeaders = recordedHeaders(
            request.headers,
            only: nil,
            sensitive: Self.sensitiveRequestHeaders,
            redactor: redactor,
            found: &found
        )
        if !requestHeaders.isEmpty { requestObject["headers"] = .object(requestHeaders) }
        // The request body is kept byte for byte (a webhook's signature covers the raw bytes):
        // `json` only when writing it back compactly gives the same bytes.
        if let (key, value) = bodyMember(request.body, redactor: redactor, jsonOnlyWhenExact: true, found: &found) {
            requestObject[key] = value
        }
        step["request"] = .object(requestObject)
        var expect = JSONObject()
        expect["status"] = .integer(Int64(response.status))
        if let contentType = response.headers.value(for: "content-type") {
            expect["headers"] = ["content-type": .string(redactor.redact(contentType, found: &found))]
        }
        if let (key, value) = bodyMember(response.body, redactor: redactor, jsonOnlyWhenExact: false, found: &found), key != "base64" {
            expect[key] = value
        }
        step["expect"] = .object(expect)

        // Placeholders are resolved only for names listed in `secrets`: list each secret read and
        // each whose value was redacted somewhere.
        var names: [String] = []
        for name in secretsRead where !names.contains(name) { names.append(name) }
        for name in found.sorted() where !names.contains(name) { names.append(name) }
        if !names.isEmpty {
            top["secrets"] = .object(JSONObject(names.map { ($0, .string(SecretRedactor.placeholder($0))) }))
        }
        if !upstream.isEmpty { top["upstream"] = .array(upstream) }
        top["steps"] = [.object(step)]
        return .object(top)
    }

    /// The file name of the `sequence`-th recorded request: `0001-post-webhooks-shopify.json`.
    package static func fileName(sequence: Int, method: String, target: String) -> String {
        let path = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        var slug = ""
        for character in (method + "/" + path).lowercased().unicodeScalars {
            if (character >= "a" && character <= "z") || (character >= "0" && character <= "9") {
                slug.unicodeScalars.append(character)
            } else if !slug.isEmpty, !slug.hasSuffix("-") {
                slug += "-"
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        if slug == method.lowercased() { slug += "-root" }
        if slug.count > 80 { slug = String(slug.prefix(80)) }
        let number = String(sequence)
        return String(repeating: "0", count: max(0, 4 - number.count)) + number + "-" + slug + ".json"
    }

    /// Writes `fixture` into `directory` as `fileName(...)`, creating the directory.
    /// - Returns: the written file's path.
    /// - Throws: ``ReplayError`` `.unwritableFile`.
    package static func write(_ fixture: JSONValue, directory: String, fileName: String) throws(ReplayError) -> String {
        let path = (directory as NSString).appendingPathComponent(fileName)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ReplayError(code: .unwritableFile, message: "--record \(directory): cannot create the folder: \(error.localizedDescription)")
        }
        try FixtureUpdater.write(fixture, to: path)
        return path
    }

    /// RFC 3339 in UTC, with milliseconds only when there are some.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        if milliseconds % 1000 != 0 { formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds] }
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }

    private func upstreamEntry(_ exchange: RecordedExchange, redactor: SecretRedactor, found: inout Set<String>) -> JSONValue {
        var request = JSONObject()
        request["method"] = .string(exchange.request.method)
        request["url"] = .string(redactor.redact(exchange.request.target, found: &found))
        let headers = recordedHeaders(exchange.request.headers, only: matchedRequestHeaders, sensitive: [], redactor: redactor, found: &found)
        if !headers.isEmpty { request["headers"] = .object(headers) }
        if let (key, value) = bodyMember(exchange.request.body, redactor: redactor, jsonOnlyWhenExact: false, found: &found), key != "base64" {
            request[key == "json" ? "bodyJson" : key] = value
        }
        var response = JSONObject()
        switch exchange.outcome {
        case .failure(let kind):
            response["error"] = .string(kind == .timeout ? "timeout" : "connection")
        case .response(let message):
            response["status"] = .integer(Int64(message.status))
            let headers = recordedHeaders(message.headers, only: nil, sensitive: Self.sensitiveResponseHeaders, redactor: redactor, found: &found)
            if !headers.isEmpty { response["headers"] = .object(headers) }
            if let (key, value) = bodyMember(message.body, redactor: redactor, jsonOnlyWhenExact: false, found: &found) { response[key] = value }
        }
        return ["request": .object(request), "response": .object(response)]
    }

    /// The headers to write (only `names` when given; `sensitive` ones only when
    /// ``keepsSensitiveHeaders``), repeated fields joined with `", "` as Fetch `Headers.get` does,
    /// secrets redacted in names and values.
    private func recordedHeaders(
        _ headers: Headers,
        only names: Set<String>?,
        sensitive: Set<String>,
        redactor: SecretRedactor,
        found: inout Set<String>
    ) -> JSONObject {
        var object = JSONObject()
        var written: Set<String> = []
        for field in headers where !Self.unrecordedHeaders.contains(field.name) && written.insert(field.name).inserted {
            if let names, !names.contains(field.name) { continue }
            if !keepsSensitiveHeaders, sensitive.contains(field.name) { continue }
            let value = headers.value(for: field.name) ?? field.value
            object[redactor.redact(field.name, found: &found)] = .string(redactor.redact(value, found: &found))
        }
        return object
    }

    /// The body as a fixture member, redacted as bytes first: `json` when the redacted bytes parse
    /// (and, with `jsonOnlyWhenExact`, when their compact form is the same bytes), else `body` text
    /// when they are UTF-8, else `base64` of the redacted bytes; `nil` when empty.
    private func bodyMember(
        _ body: [UInt8],
        redactor: SecretRedactor,
        jsonOnlyWhenExact: Bool,
        found: inout Set<String>
    ) -> (String, JSONValue)? {
        guard !body.isEmpty else { return nil }
        let redacted = redactor.redact(body, found: &found)
        if let parsed = try? JSONParser.parse(redacted) {
            // The strings once more, decoded: an escape the byte scan cannot see through.
            let json = redactor.redact(parsed, found: &found)
            if jsonOnlyWhenExact ? JSONSerializer.bytes(json) == redacted : !redactor.containsSecretInNumbers(json) {
                return ("json", json)
            }
        }
        if let text = String(validating: redacted, as: UTF8.self) { return ("body", .string(text)) }
        return ("base64", .string(Data(redacted).base64EncodedString()))
    }
}
