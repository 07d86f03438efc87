import Drover

/// Replaces secret values with their `${NAME}` placeholders, so recorded fixtures and `--update`
/// rewrites never hold a secret (ARCHITECTURE.md: secret values never appear in logs, errors or
/// recorded fixtures).
package struct SecretRedactor: Sendable {
    /// (value, placeholder) pairs, longest value first, so a secret containing another is replaced whole.
    private let replacements: [(value: String, placeholder: String)]

    /// A redactor for `secrets`, name to value. Empty values are ignored (they occur everywhere).
    package init(secrets: [String: String]) {
        replacements = secrets.filter { !$0.value.isEmpty }
            .map { (value: $0.value, placeholder: Self.placeholder($0.key)) }
            .sorted { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.value < $1.value }
    }

    /// `${NAME}`.
    package static func placeholder(_ name: String) -> String {
        "${" + name + "}"
    }

    /// Whether there is nothing to redact.
    package var isEmpty: Bool { replacements.isEmpty }

    /// `text` with every occurrence of a secret value replaced by its placeholder.
    package func redact(_ text: String) -> String {
        var text = text
        for (value, placeholder) in replacements where text.contains(value) {
            text = text.replacingAll(value, with: placeholder)
        }
        return text
    }

    /// `value` with secrets redacted inside every string and object key.
    package func redact(_ value: JSONValue) -> JSONValue {
        guard !isEmpty else { return value }
        switch value {
        case .string(let text): return .string(redact(text))
        case .array(let elements): return .array(elements.map(redact))
        case .object(let object): return .object(JSONObject(object.pairs.map { (redact($0.key), redact($0.value)) }))
        default: return value
        }
    }
}

extension String {
    /// `self` with every occurrence of `target` replaced, compared as Swift strings.
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.range(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        result += rest
        return result
    }
}
