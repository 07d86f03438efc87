import Drover
import Foundation

/// Builds the fixture `drover dev --record DIR` writes for one incoming request (FIXTURES.md,
/// "Recording"): the request as a step whose `expect` is the response, every outbound call as an
/// `upstream` entry, `now` at the request's time, and `secrets` listing each secret the worker
/// read as `"${NAME}"`. Every occurrence of a secret's value in a recorded URL, header or body is
/// replaced by its placeholder.
package struct FixtureRecorder: Sendable {
    /// Lower-cased names of outbound request headers recorded for matching (for example
    /// `idempotency-key`); all others are left out so replays do not depend on volatile values.
    package var matchedRequestHeaders: Set<String>

    /// Headers never recorded: hop-by-hop fields (RFC 9110 §7.6.1), `host` and the framing the
    /// replay recomputes (`content-length`), and `content-encoding` (the recorded body is decoded).
    package static let unrecordedHeaders: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host",
        "content-length", "content-encoding",
    ]

    /// Creates a recorder that records the outbound request headers named in `matchedRequestHeaders`.
    package init(matchedRequestHeaders: [String] = []) {
        self.matchedRequestHeaders = Set(matchedRequestHeaders.map { $0.lowercased() })
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
        var top = JSONObject()
        top["name"] = .string("\(request.method) \(redactor.redact(request.target))")
        if let config { top["config"] = .string(config) }
        if let env { top["env"] = .string(env) }
        top["now"] = .string(Self.timestamp(time))

        var upstream: [JSONValue] = []
        for exchange in exchanges { upstream.append(upstreamEntry(exchange, redactor: redactor)) }

        var step = JSONObject()
        var requestObject = JSONObject()
        requestObject["method"] = .string(request.method)
        requestObject["path"] = .string(redactor.redact(request.target))
        let requestHeaders = recordedHeaders(request.headers, only: nil, redactor: redactor)
        if !requestHeaders.isEmpty { requestObject["headers"] = .object(requestHeaders) }
        // The request body is kept byte for byte (a webhook's signature covers the raw bytes):
        // `json` only when writing it back compactly gives the same bytes.
        if let (key, value) = bodyMember(request.body, redactor: redactor, jsonOnlyWhenExact: true) { requestObject[key] = value }
        step["request"] = .object(requestObject)
        var expect = JSONObject()
        expect["status"] = .integer(Int64(response.status))
        if let contentType = response.headers.value(for: "content-type") {
            expect["headers"] = ["content-type": .string(redactor.redact(contentType))]
        }
        if let (key, value) = bodyMember(response.body, redactor: redactor, jsonOnlyWhenExact: false), key != "base64" {
            expect[key] = value
        }
        step["expect"] = .object(expect)

        // Placeholders are resolved only for names listed in `secrets`: list each secret read and
        // each whose value was redacted somewhere.
        var names: [String] = []
        for name in secretsRead where !names.contains(name) { names.append(name) }
        let written = JSONSerializer.string(.object(top)) + JSONSerializer.string(.array(upstream)) + JSONSerializer.string(.object(step))
        for name in secretValues.keys.sorted() where !names.contains(name) && written.contains(SecretRedactor.placeholder(name)) {
            names.append(name)
        }
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

    private func upstreamEntry(_ exchange: RecordedExchange, redactor: SecretRedactor) -> JSONValue {
        var request = JSONObject()
        request["method"] = .string(exchange.request.method)
        request["url"] = .string(redactor.redact(exchange.request.target))
        let headers = recordedHeaders(exchange.request.headers, only: matchedRequestHeaders, redactor: redactor)
        if !headers.isEmpty { request["headers"] = .object(headers) }
        if let (key, value) = bodyMember(exchange.request.body, redactor: redactor, jsonOnlyWhenExact: false), key != "base64" {
            request[key == "json" ? "bodyJson" : key] = value
        }
        var response = JSONObject()
        switch exchange.outcome {
        case .failure(let kind):
            response["error"] = .string(kind == .timeout ? "timeout" : "connection")
        case .response(let message):
            response["status"] = .integer(Int64(message.status))
            let headers = recordedHeaders(message.headers, only: nil, redactor: redactor)
            if !headers.isEmpty { response["headers"] = .object(headers) }
            if let (key, value) = bodyMember(message.body, redactor: redactor, jsonOnlyWhenExact: false) { response[key] = value }
        }
        return ["request": .object(request), "response": .object(response)]
    }

    /// The headers to write (only `names` when given), repeated fields joined with `", "` as
    /// Fetch `Headers.get` does, secrets redacted.
    private func recordedHeaders(_ headers: Headers, only names: Set<String>?, redactor: SecretRedactor) -> JSONObject {
        var object = JSONObject()
        for field in headers where !Self.unrecordedHeaders.contains(field.name) && object[field.name] == nil {
            if let names, !names.contains(field.name) { continue }
            object[field.name] = .string(redactor.redact(headers.value(for: field.name) ?? field.value))
        }
        return object
    }

    /// The body as a fixture member: `json` when it parses (and, with `jsonOnlyWhenExact`, when its
    /// compact form is the same bytes), else `body` text when it is UTF-8, else `base64`; `nil` when empty.
    private func bodyMember(_ body: [UInt8], redactor: SecretRedactor, jsonOnlyWhenExact: Bool) -> (String, JSONValue)? {
        guard !body.isEmpty else { return nil }
        if let json = try? JSONParser.parse(body), !jsonOnlyWhenExact || JSONSerializer.bytes(json) == body {
            return ("json", redactor.redact(json))
        }
        if let text = String(validating: body, as: UTF8.self) { return ("body", .string(redactor.redact(text))) }
        return ("base64", .string(Data(body).base64EncodedString()))
    }
}
