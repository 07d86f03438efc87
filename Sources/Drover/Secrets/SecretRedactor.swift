/// Replaces secret values with placeholders — `${NAME}` by default — so recorded fixtures and
/// `--update` rewrites never hold a secret (Docs/fixtures.md, "Recording": secret values are never
/// written anywhere), and log lines and tails show `[secret NAME]` instead (``SecretRedaction``).
///
/// Matching is on bytes, never on Swift `String`s: `String` compares grapheme clusters, so a
/// secret followed by a combining mark (U+0301) is not "contained" in the text that holds it.
/// Redact before anything is encoded, named or escaped; what is found, per secret:
/// - its UTF-8 bytes;
/// - the same bytes percent-encoded (hex in either case), with `+` for a space, or JSON-escaped
///   (`\/`, `\u00e9`, ...), each byte in any of these forms (``SecretPattern/matchEnd(in:from:limit:)``);
/// - for a secret of at least ``minimumEncodedLength`` bytes, its base64 and base64url text at each
///   of the three byte alignments a larger blob can give it (``SecretPattern/base64Forms(of:)``).
///
/// Longer secrets are redacted first, and a placeholder once written is never searched again (a
/// secret `KEY` leaves `${API_KEY}` alone). Empty values are ignored: they occur everywhere.
///
/// Short secrets: the base64 text of a secret shorter than ``minimumEncodedLength`` bytes is 2 or 3
/// characters at some alignment, which any base64 text contains by chance, so those forms are not
/// searched. Its raw and escaped forms still are, wherever they occur: replay substitutes the
/// placeholders back, so even a one-byte secret recorded in every word round-trips, at the cost of
/// an ugly fixture.
package struct SecretRedactor: Sendable {
    /// The shortest secret, in bytes, whose base64 forms are searched.
    package static let minimumEncodedLength = 4

    private struct Entry: Sendable {
        var name: String
        var placeholder: [UInt8]
        var patterns: [SecretPattern]
        /// Indexed by `first << 8 | second`: whether a match of any pattern can start with these bytes.
        var startPairs: [Bool]
    }

    /// Longest value first, so a secret containing another is replaced whole.
    private let entries: [Entry]

    /// A redactor for `secrets`, name to value, writing `placeholder(name)` for each. Empty values
    /// are ignored.
    package init(secrets: [String: String], placeholder: (String) -> String = SecretRedactor.placeholder) {
        self.init(secrets.map { (name: $0.key, value: $0.value) }, placeholder: placeholder)
    }

    /// A redactor for `secrets`, name and value; a name may come twice with different values
    /// (secret bindings of two configs), both redacted to its placeholder. Empty values are ignored.
    package init(_ secrets: [(name: String, value: String)], placeholder: (String) -> String = SecretRedactor.placeholder) {
        var seen: Set<[String]> = []
        entries = secrets.filter { !$0.value.isEmpty && seen.insert([$0.name, $0.value]).inserted }
            .sorted { ($1.value.utf8.count, $0.value, $0.name) < ($0.value.utf8.count, $1.value, $1.name) }
            .map { secret in
                let bytes = Array(secret.value.utf8)
                var patterns = [SecretPattern.raw(bytes)]
                if bytes.count >= Self.minimumEncodedLength { patterns += SecretPattern.base64Forms(of: bytes) }
                var startPairs = [Bool](repeating: false, count: 1 << 16)
                for pattern in patterns { pattern.markStartPairs(in: &startPairs) }
                return Entry(name: secret.name, placeholder: Array(placeholder(secret.name).utf8), patterns: patterns, startPairs: startPairs)
            }
    }

    /// `${NAME}`.
    package static func placeholder(_ name: String) -> String {
        "${" + name + "}"
    }

    /// The names of the secrets in `secrets` shorter than ``minimumEncodedLength`` bytes (and not
    /// empty), sorted: their base64 forms are not redacted.
    package static func shortSecretNames(_ secrets: [String: String]) -> [String] {
        secrets.filter { !$0.value.isEmpty && $0.value.utf8.count < minimumEncodedLength }.keys.sorted()
    }

    /// Whether there is nothing to redact.
    package var isEmpty: Bool { entries.isEmpty }

    /// `bytes` with every occurrence of a secret, in any form searched, replaced by its placeholder.
    /// - Parameter found: gets the name of every secret replaced.
    package func redact(_ bytes: [UInt8], found: inout Set<String>) -> [UInt8] {
        guard !entries.isEmpty, !bytes.isEmpty else { return bytes }
        let segments = bytes.withUnsafeBufferPointer { buffer in self.segments(of: buffer, found: &found) }
        guard segments != [.text(0..<bytes.count)] else { return bytes }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        for segment in segments {
            switch segment {
            case .text(let range): output += bytes[range]
            case .placeholder(let index): output += entries[index].placeholder
            }
        }
        return output
    }

    /// `bytes` cut into text to copy and placeholders, one secret after the other, each searched
    /// only in the text the longer ones left.
    private func segments(of bytes: UnsafeBufferPointer<UInt8>, found: inout Set<String>) -> [Segment] {
        var segments: [Segment] = [.text(0..<bytes.count)]
        for (index, entry) in entries.enumerated() {
            var next: [Segment] = []
            next.reserveCapacity(segments.count)
            for segment in segments {
                guard case .text(let range) = segment else {
                    next.append(segment)
                    continue
                }
                var copied = range.lowerBound
                var position = range.lowerBound
                // The last byte has no pair: it is tried against every pattern.
                let lastPair = range.upperBound - 1
                entry.startPairs.withUnsafeBufferPointer { startPairs in
                    while position < range.upperBound {
                        guard position == lastPair || startPairs[Int(bytes[position]) << 8 | Int(bytes[position + 1])] else {
                            position += 1
                            continue
                        }
                        // At an escape, only patterns whose first element takes the byte it stands for.
                        let escaped = SecretPattern.firstEscapedByte(in: bytes, at: position, limit: range.upperBound)
                        var longest: Int?
                        for pattern in entry.patterns
                        where pattern.elements[0].accepts(bytes[position]) || escaped.map(pattern.elements[0].accepts) == true {
                            if let end = pattern.matchEnd(in: bytes, from: position, limit: range.upperBound), end > (longest ?? -1) { longest = end }
                        }
                        guard let end = longest else {
                            position += 1
                            continue
                        }
                        if copied < position { next.append(.text(copied..<position)) }
                        next.append(.placeholder(index))
                        found.insert(entry.name)
                        position = end
                        copied = end
                    }
                }
                if copied < range.upperBound { next.append(.text(copied..<range.upperBound)) }
            }
            segments = next
        }
        return segments
    }

    /// `bytes` with every secret replaced by its placeholder.
    package func redact(_ bytes: [UInt8]) -> [UInt8] {
        var found: Set<String> = []
        return redact(bytes, found: &found)
    }

    /// `text` with every secret replaced by its placeholder, matched on its UTF-8 bytes.
    /// - Parameter found: gets the name of every secret replaced.
    package func redact(_ text: String, found: inout Set<String>) -> String {
        guard !entries.isEmpty else { return text }
        let bytes = Array(text.utf8)
        let redacted = redact(bytes, found: &found)
        // A match starts and ends on a scalar boundary of valid UTF-8 (the secret is valid UTF-8,
        // escapes and placeholders are ASCII), so the result is valid UTF-8 too.
        return redacted == bytes ? text : String(decoding: redacted, as: UTF8.self)
    }

    /// `text` with every secret replaced by its placeholder.
    package func redact(_ text: String) -> String {
        var found: Set<String> = []
        return redact(text, found: &found)
    }

    /// `value` with secrets redacted inside every string and object key.
    /// - Parameter found: gets the name of every secret replaced.
    package func redact(_ value: JSONValue, found: inout Set<String>) -> JSONValue {
        guard !isEmpty else { return value }
        switch value {
        case .string(let text):
            return .string(redact(text, found: &found))
        case .array(let elements):
            return .array(elements.map { redact($0, found: &found) })
        case .object(let object):
            return .object(JSONObject(object.pairs.map { (redact($0.key, found: &found), redact($0.value, found: &found)) }))
        default:
            return value
        }
    }

    /// `value` with secrets redacted inside every string and object key.
    package func redact(_ value: JSONValue) -> JSONValue {
        var found: Set<String> = []
        return redact(value, found: &found)
    }

    /// Whether any number in `value`, as JSON writes it, holds a secret. A number is written from
    /// its parsed value, not copied (`1e2` is written `100`), so redacting the text it came from
    /// does not cover it.
    package func containsSecretInNumbers(_ value: JSONValue) -> Bool {
        guard !isEmpty else { return false }
        switch value {
        case .integer, .double:
            let text = JSONSerializer.bytes(value)
            return redact(text) != text
        case .array(let elements):
            return elements.contains(where: containsSecretInNumbers)
        case .object(let object):
            return object.pairs.contains { containsSecretInNumbers($0.value) }
        default:
            return false
        }
    }

    /// A run of the input: bytes copied as they are, or one entry's placeholder.
    private enum Segment: Equatable {
        case text(Range<Int>)
        case placeholder(Int)
    }
}
