import Drover
import Foundation

/// Resolves the `${NAME}` placeholders of a fixture's `secrets` (Docs/fixtures.md, "Recording"): from
/// `.dev.vars` beside the config, then from the process environment; a name neither has is an
/// error naming it.
///
/// Once resolved, `${NAME}` for each secret of the fixture is substituted in every string of the
/// document (URLs, headers, bodies), since recording put the placeholder wherever the value was,
/// and inside the decoded bytes of every `base64` value: recording redacts a body that is not
/// UTF-8 as bytes, writing the placeholder as its ASCII bytes before encoding the body.
/// Substitution works on UTF-8 bytes, not `Character`s, so a placeholder followed by a combining
/// mark (where recording found a secret followed by one) is still found.
package struct SecretPlaceholderResolver: Sendable {
    /// `.dev.vars` beside the config, already parsed.
    package var devVars: [String: String]
    /// The process environment.
    package var environment: [String: String]

    /// Creates a resolver reading `devVars` first, then `environment`.
    package init(devVars: [String: String], environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.devVars = devVars
        self.environment = environment
    }

    /// The value of the placeholder name `name`, or `nil`.
    package func value(of name: String) -> String? {
        devVars[name] ?? environment[name]
    }

    /// `fixture` with its secrets' placeholders resolved and substituted throughout; the original
    /// document stays in ``Fixture/source`` and the substituted names in
    /// ``Fixture/resolvedPlaceholders``. A fixture without `secrets` is returned as is.
    /// - Throws: ``ReplayError`` `.unresolvedSecret` naming every unresolved NAME with its JSON path.
    package func resolve(_ fixture: Fixture) throws(ReplayError) -> Fixture {
        guard let secrets = fixture.secrets else { return fixture }
        var issues: [FixtureIssue] = []
        var resolved: [String: String] = [:]
        for (name, value) in secrets {
            var missing: [String] = []
            let result = Self.substitute(in: value) { placeholder in
                if let found = self.value(of: placeholder) { return found }
                missing.append(placeholder)
                return nil
            }
            for placeholder in missing {
                issues.append(
                    FixtureIssue(
                        file: fixture.file,
                        path: JSONPath("secrets").appending(name).description,
                        message: "${\(placeholder)} is not set: add \(placeholder) to .dev.vars beside the config or set it in the environment"
                    )
                )
            }
            resolved[name] = result
        }
        guard issues.isEmpty else {
            throw ReplayError(code: .unresolvedSecret, message: issues.map(\.description).joined(separator: "\n"), issues: issues)
        }
        guard case .object(let top) = fixture.source else { return fixture }
        let document = JSONValue.object(
            JSONObject(
                top.pairs.map { member in
                    member.key == "secrets"
                        ? (member.key, .object(JSONObject(secrets.map { ($0.name, .string(resolved[$0.name]!)) })))
                        : (member.key, Self.substitute(in: member.value, values: resolved))
                }
            )
        )
        var result = try Fixture.parse(document: document, file: fixture.file)
        result.source = fixture.source
        result.resolvedPlaceholders = resolved
        return result
    }

    /// `text` with each `${NAME}` replaced by `lookup(NAME)`; a placeholder the lookup returns
    /// `nil` for is kept. NAME is letters, digits and `_`, not starting with a digit.
    static func substitute(in text: String, lookup: (String) -> String?) -> String {
        let bytes = Array(text.utf8)
        guard let result = substitute(in: bytes, lookup: lookup) else { return text }
        return String(decoding: result, as: UTF8.self)
    }

    /// `bytes` with each `${NAME}` replaced by the UTF-8 bytes of `lookup(NAME)`, or `nil` when
    /// none was replaced.
    static func substitute(in bytes: [UInt8], lookup: (String) -> String?) -> [UInt8]? {
        let dollar = UInt8(ascii: "$")
        let open = UInt8(ascii: "{")
        let close = UInt8(ascii: "}")
        var result: [UInt8] = []
        var copied = 0
        var index = 0
        while index + 1 < bytes.count {
            guard bytes[index] == dollar, bytes[index + 1] == open else {
                index += 1
                continue
            }
            let nameStart = index + 2
            guard let nameEnd = bytes[nameStart...].firstIndex(where: { !isNameByte($0) }), bytes[nameEnd] == close,
                nameEnd > nameStart, !isDigit(bytes[nameStart]),
                let value = lookup(String(decoding: bytes[nameStart..<nameEnd], as: UTF8.self))
            else {
                index += 2
                continue
            }
            result += bytes[copied..<index]
            result += value.utf8
            index = nameEnd + 1
            copied = index
        }
        guard copied > 0 else { return nil }
        return result + bytes[copied...]
    }

    private static func substitute(in value: JSONValue, values: [String: String]) -> JSONValue {
        switch value {
        case .string(let text): return .string(substitute(in: text) { values[$0] })
        case .array(let elements): return .array(elements.map { substitute(in: $0, values: values) })
        case .object(let object):
            return .object(
                JSONObject(
                    object.pairs.map { member in
                        let key = substitute(in: member.key) { values[$0] }
                        if key == "base64", case .string(let text) = member.value, let decoded = Data(base64Encoded: text),
                            let substituted = substitute(in: Array(decoded), lookup: { values[$0] })
                        {
                            return (key, .string(Data(substituted).base64EncodedString()))
                        }
                        return (key, substitute(in: member.value, values: values))
                    }
                )
            )
        default: return value
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || byte == UInt8(ascii: "_")
    }
}
