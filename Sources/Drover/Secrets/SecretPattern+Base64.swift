extension SecretPattern {
    /// The forms `secret` takes inside base64 and base64url text (RFC 4648 §4, §5), one per byte
    /// alignment and alphabet, without repeats.
    ///
    /// Base64 turns every 3 bytes into 4 characters of 6 bits each. A secret of `n` bytes starting
    /// at byte offset `a` (mod 3) of a blob fills bits `8a ..< 8(a + n)` of its 3-byte group; the
    /// characters wholly inside that span depend on the secret alone, so they are the same text
    /// wherever in a blob the secret sits at that alignment, whatever surrounds it. A character the
    /// span only partly covers (before it when `8a` is not a multiple of 6, after it when `8(a + n)`
    /// is not) holds a few of the secret's bits and a few of a neighbour's: it is matched as any
    /// base64 character, so every character carrying the secret's bits is replaced. Padding (`=`)
    /// carries none.
    ///
    /// This finds a secret that reached the recording already encoded (a `Basic` credential, a
    /// token inside a JWT). Bytes Drover itself stores as base64 are redacted before they are
    /// encoded, so they need none of this.
    static func base64Forms(of secret: [UInt8]) -> [SecretPattern] {
        var forms: [SecretPattern] = []
        for alphabet in [Base64Alphabet.standard, .url] {
            for alignment in 0..<3 {
                let text = Array(alphabet.encode([UInt8](repeating: 0, count: alignment) + secret + [0, 0], padding: false).utf8)
                let startBit = 8 * alignment
                let endBit = 8 * (alignment + secret.count)
                var elements: [Element] = []
                if startBit % 6 != 0 { elements.append(.anyBase64Character) }
                elements += text[((startBit + 5) / 6)..<(endBit / 6)].map(Element.byte)
                if endBit % 6 != 0 { elements.append(.anyBase64Character) }
                let form = SecretPattern(elements: elements)
                if !forms.contains(form) { forms.append(form) }
            }
        }
        return forms
    }
}
