import Drover
import Foundation

/// `drover replay --update`: rewrites the `expect` of failing request steps from what actually
/// happened, snapshot style, leaving every other byte of meaning untouched.
///
/// Only the keys the author used are rewritten: `status` gets the actual status; `headers` the
/// actual values of the listed names (a name the response lacks is dropped); `json` the actual
/// JSON (or `body` when the response is not JSON); `jsonSubset` the actual values of the listed
/// keys; `body` the actual text; a `bodyContains` that no longer holds becomes `json` (or `body`).
/// Key order is kept; the file is written back with a 2-space indent.
///
/// What is written never holds a secret (Docs/fixtures.md, "Recording"): every secret binding the run
/// had is redacted from the actual response, as bytes before it is parsed or decoded, with the
/// recorder's ``SecretRedactor``. A fixture without `secrets` ran on `.dev.vars`; when a placeholder
/// is written into one, it gains `secrets` listing every secret binding of the run as `"${NAME}"`,
/// which replay resolves from that same `.dev.vars`, so the run's bindings do not change.
package enum FixtureUpdater {
    /// What a request step actually got.
    package struct ActualResponse: Sendable {
        /// The status.
        package var status: Int
        /// The headers.
        package var headers: Headers
        /// The body bytes.
        package var body: [UInt8]

        /// Creates an actual response.
        package init(status: Int, headers: Headers, body: [UInt8]) {
            self.status = status
            self.headers = headers
            self.body = body
        }
    }

    /// The fixture document with the `expect` of each step in `responses` (step index to actual
    /// response) rewritten; steps without `expect` are left alone.
    /// - Parameters:
    ///   - redactor: secrets to turn into `${NAME}` placeholders in what is written.
    ///   - found: gets the name of every secret redacted.
    package static func updated(
        _ document: JSONValue,
        responses: [Int: ActualResponse],
        redactor: SecretRedactor,
        found: inout Set<String>
    ) -> JSONValue {
        guard case .object(var top) = document, case .array(var steps) = top["steps"] else { return document }
        for (index, actual) in responses.sorted(by: { $0.key < $1.key }) where steps.indices.contains(index) {
            guard case .object(var step) = steps[index], case .object(let expect) = step["expect"] else { continue }
            step["expect"] = .object(rewrite(expect, actual: actual, redactor: redactor, found: &found))
            steps[index] = .object(step)
        }
        top["steps"] = .array(steps)
        return .object(top)
    }

    /// The fixture document with the `expect` of each step in `responses` rewritten, secrets redacted.
    package static func updated(
        _ document: JSONValue,
        responses: [Int: ActualResponse],
        redactor: SecretRedactor = SecretRedactor(secrets: [:])
    ) -> JSONValue {
        var found: Set<String> = []
        return updated(document, responses: responses, redactor: redactor, found: &found)
    }

    /// Rewrites `fixture`'s file from `responses` (step index to actual response of a failing
    /// step), redacting every secret binding the run had.
    /// - Parameter secrets: the secret bindings of every runtime the run built (a `deploy` step
    ///   builds another), name and value; `nil` for the fixture's own resolved `secrets`.
    /// - Returns: whether the file changed.
    /// - Throws: ``ReplayError`` `.unwritableFile`.
    @discardableResult
    package static func update(
        _ fixture: Fixture,
        responses: [Int: ActualResponse],
        secrets: [(name: String, value: String)]? = nil
    ) throws(ReplayError) -> Bool {
        let bindings = secrets ?? fixture.secrets ?? []
        var found: Set<String> = []
        var document = updated(fixture.source, responses: responses, redactor: SecretRedactor(bindings), found: &found)
        // A secret redacted from a part of the body no check kept (outside a `jsonSubset`) left no
        // placeholder behind: only placeholders written need `secrets`. Compared as bytes: a
        // combining mark after `}` would hide it from a `String` search.
        let written = JSONSerializer.bytes(document)
        if case .object(let top) = document, top["secrets"] == nil,
            found.contains(where: { written.contains(Array(SecretRedactor.placeholder($0).utf8)) })
        {
            document = .object(withSecrets(top, names: bindings.map(\.name)))
        }
        guard JSONSerializer.string(document) != JSONSerializer.string(fixture.source) else { return false }
        try write(document, to: fixture.file)
        return true
    }

    /// `top` with `secrets` listing each of `names` once as `"${NAME}"`, sorted, placed where
    /// Docs/fixtures.md lists it: before `vars`, `given`, `upstream` and `steps`.
    static func withSecrets(_ top: JSONObject, names: [String]) -> JSONObject {
        let secrets = JSONValue.object(JSONObject(Set(names).sorted().map { ($0, .string(SecretRedactor.placeholder($0))) }))
        let later = Fixture.topLevelKeys.drop { $0 != "secrets" }.dropFirst()
        var pairs = top.pairs.map { ($0.key, $0.value) }
        let position = pairs.firstIndex { later.contains($0.0) } ?? pairs.count
        pairs.insert(("secrets", secrets), at: position)
        return JSONObject(pairs)
    }

    /// Writes `document` pretty-printed (2-space indent, key order kept, trailing newline).
    /// - Throws: ``ReplayError`` `.unwritableFile` naming the path.
    package static func write(_ document: JSONValue, to path: String) throws(ReplayError) {
        do {
            let text = JSONSerializer.prettyString(document, indent: 2) + "\n"
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ReplayError(code: .unwritableFile, message: "\(path): cannot write the fixture: \(error.localizedDescription)")
        }
    }

    private static func rewrite(_ expect: JSONObject, actual: ActualResponse, redactor: SecretRedactor, found: inout Set<String>) -> JSONObject {
        // Redacted as bytes before anything is parsed or decoded: a JSON escape or a byte sequence
        // that is not UTF-8 must not hide a secret.
        let body = redactor.redact(actual.body, found: &found)
        let text = String(decoding: body, as: UTF8.self)
        let json = (try? JSONParser.parse(body)).map { redactor.redact($0, found: &found) }.flatMap {
            redactor.containsSecretInNumbers($0) ? nil : $0
        }
        let bodyCheck: (key: String, value: JSONValue) = json.map { ("json", $0) } ?? ("body", .string(text))
        var pairs: [(String, JSONValue)] = []
        func add(_ key: String, _ value: JSONValue) {
            if !pairs.contains(where: { $0.0 == key }) { pairs.append((key, value)) }
        }
        for (key, value) in expect {
            switch key {
            case "status":
                add(key, .integer(Int64(actual.status)))
            case "headers":
                guard case .object(let listed) = value else {
                    add(key, value)
                    continue
                }
                var headers = JSONObject()
                for name in listed.keys {
                    if let actualValue = actual.headers.value(for: name) { headers[name] = .string(redactor.redact(actualValue, found: &found)) }
                }
                add(key, .object(headers))
            case "json":
                add(bodyCheck.key, bodyCheck.value)
            case "jsonSubset":
                if let json { add(key, project(value, onto: json)) } else { add(bodyCheck.key, bodyCheck.value) }
            case "body":
                add(key, .string(text))
            case "bodyContains":
                if case .string(let needle) = value, text.contains(needle) { add(key, value) } else { add(bodyCheck.key, bodyCheck.value) }
            default:
                add(key, value)
            }
        }
        return JSONObject(pairs)
    }

    /// The parts of `actual` at the keys `expected` lists, recursively: a `jsonSubset` that holds
    /// for `actual` and keeps the author's shape. Keys `actual` lacks are dropped; arrays of another
    /// length are taken whole.
    static func project(_ expected: JSONValue, onto actual: JSONValue) -> JSONValue {
        switch (expected, actual) {
        case (.object(let expectedObject), .object(let actualObject)):
            return .object(
                JSONObject(expectedObject.keys.compactMap { key in actualObject[key].map { (key, project(expectedObject[key]!, onto: $0)) } })
            )
        case (.array(let expectedElements), .array(let actualElements)) where expectedElements.count == actualElements.count:
            return .array(zip(expectedElements, actualElements).map { project($0, onto: $1) })
        default:
            return actual
        }
    }
}
