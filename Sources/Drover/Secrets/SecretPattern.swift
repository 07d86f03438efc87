/// One form of a secret that ``SecretRedactor`` searches for, as a sequence of expected bytes:
/// the secret's own UTF-8 bytes, or the part of its base64 (or base64url) text that the secret
/// alone determines at one of the three byte alignments inside a larger base64 blob.
///
/// A pattern is matched against text in which each expected byte may also appear escaped
/// (``matchEnd(in:from:limit:)``): percent-encoded, `+` for a space, or JSON-escaped.
struct SecretPattern: Sendable, Equatable {
    /// What one position of the pattern accepts.
    enum Element: Sendable, Equatable {
        /// Exactly this byte.
        case byte(UInt8)
        /// Any character of either base64 alphabet: a character holding only some of the secret's bits.
        case anyBase64Character

        /// Whether `byte` fits here.
        func accepts(_ byte: UInt8) -> Bool {
            switch self {
            case .byte(let expected): byte == expected
            case .anyBase64Character: Base64Alphabet.standard.contains(byte) || Base64Alphabet.url.contains(byte)
            }
        }
    }

    /// The expected bytes, in order; never empty.
    var elements: [Element]

    /// Marks, in a table indexed by `first << 8 | second`, every pair of bytes a match can start
    /// with: a first byte the first element accepts and a second the next element accepts, or
    /// either one starting an escape (`%`, `+`, `\`), after which anything may follow.
    func markStartPairs(in table: inout [Bool]) {
        let escapes = [Self.percent, Self.plus, Self.backslash]
        let firsts = (0...255).filter { elements[0].accepts(UInt8($0)) || escapes.contains(UInt8($0)) }
        for first in firsts {
            if escapes.contains(UInt8(first)) || elements.count == 1 {
                for second in 0...255 { table[first << 8 | second] = true }
            } else {
                for second in 0...255 where elements[1].accepts(UInt8(second)) || escapes.contains(UInt8(second)) {
                    table[first << 8 | second] = true
                }
            }
        }
    }

    /// Whether `byte` can start an escape: `%`, `+` or `\`.
    static func isEscape(_ byte: UInt8) -> Bool {
        byte == percent || byte == plus || byte == backslash
    }

    /// The secret's raw bytes.
    static func raw(_ secret: [UInt8]) -> SecretPattern {
        SecretPattern(elements: secret.map(Element.byte))
    }
}
