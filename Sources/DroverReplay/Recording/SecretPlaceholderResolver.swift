import Drover
import Foundation

/// Resolves the `${NAME}` placeholders of a fixture's `secrets` (FIXTURES.md, "Recording"): from
/// `.dev.vars` beside the config, then from the process environment; a name neither has is an
/// error naming it.
///
/// Once resolved, `${NAME}` for each secret of the fixture is substituted in every string of the
/// document (URLs, headers, bodies), since recording put the placeholder wherever the value was.
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
        guard text.contains("${") else { return text }
        var result = ""
        var rest = text[...]
        while let start = rest.range(of: "${") {
            result += rest[..<start.lowerBound]
            let afterOpen = rest[start.upperBound...]
            if let close = afterOpen.firstIndex(of: "}"), isName(afterOpen[..<close]), let value = lookup(String(afterOpen[..<close])) {
                result += value
                rest = afterOpen[afterOpen.index(after: close)...]
            } else {
                result += "${"
                rest = afterOpen
            }
        }
        return result + rest
    }

    private static func substitute(in value: JSONValue, values: [String: String]) -> JSONValue {
        switch value {
        case .string(let text): return .string(substitute(in: text) { values[$0] })
        case .array(let elements): return .array(elements.map { substitute(in: $0, values: values) })
        case .object(let object):
            return .object(JSONObject(object.pairs.map { (substitute(in: $0.key) { values[$0] }, substitute(in: $0.value, values: values)) }))
        default: return value
        }
    }

    private static func isName(_ text: Substring) -> Bool {
        guard let first = text.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}
