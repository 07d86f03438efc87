extension SecretPattern {
    /// Where the longest match of this pattern that starts at `start` ends, or `nil` when none
    /// starts there; the match stays before `limit`.
    ///
    /// Each expected byte may appear in `bytes` as itself or in one of the encodings a secret
    /// takes on its way into a URL, a form or a JSON document, mixed freely:
    /// - `%HH`, the hex digits in either case (RFC 3986 §2.1 makes them equivalent);
    /// - `+` for a space, as `application/x-www-form-urlencoded` writes one (WHATWG URL §5.2).
    ///   Accepted anywhere, not only in query strings: any header or body may carry a URL;
    /// - a JSON escape (RFC 8259 §7): `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, or `\uXXXX`
    ///   (either case; a surrogate pair for a code point above U+FFFF) standing for the UTF-8 bytes
    ///   of its code point, so `\u00e9` matches the two bytes of `é`.
    func matchEnd(in bytes: UnsafeBufferPointer<UInt8>, from start: Int, limit: Int) -> Int? {
        guard start < limit, elements[0].accepts(bytes[start]) || Self.isEscape(bytes[start]) else { return nil }
        return longestEnd(in: bytes, element: 0, at: start, limit: limit)
    }

    /// The longest end of a match of `elements[element...]` starting at `position`. A byte that
    /// starts no escape can only stand for itself; at one that does, both readings are tried
    /// (`%` then `25` against a secret holding `%25`), depth first.
    private func longestEnd(in bytes: UnsafeBufferPointer<UInt8>, element start: Int, at from: Int, limit: Int) -> Int? {
        var element = start
        var position = from
        while true {
            if element == elements.count { return position }
            guard position < limit else { return nil }
            let byte = bytes[position]
            if Self.isEscape(byte) { break }
            guard elements[element].accepts(byte) else { return nil }
            element += 1
            position += 1
        }
        var best: Int?
        func consider(_ end: Int?) {
            if let end, end > (best ?? -1) { best = end }
        }
        let byte = bytes[position]
        let expected = elements[element]
        if expected.accepts(byte) { consider(longestEnd(in: bytes, element: element + 1, at: position + 1, limit: limit)) }
        switch byte {
        case Self.percent:
            if position + 2 < limit, let high = PercentEncoding.hexValue(bytes[position + 1]), let low = PercentEncoding.hexValue(bytes[position + 2]),
                expected.accepts(high << 4 | low)
            {
                consider(longestEnd(in: bytes, element: element + 1, at: position + 3, limit: limit))
            }
        case Self.plus:
            if expected.accepts(UInt8(ascii: " ")) { consider(longestEnd(in: bytes, element: element + 1, at: position + 1, limit: limit)) }
        default:
            if let (decoded, length) = Self.jsonEscape(in: bytes, at: position, limit: limit), element + decoded.count <= elements.count,
                zip(elements[element...], decoded).allSatisfy({ $0.accepts($1) })
            {
                consider(longestEnd(in: bytes, element: element + decoded.count, at: position + length, limit: limit))
            }
        }
        return best
    }

    /// The first byte the escape at `position` stands for (`%2F` → `/`, `+` → space, `\u00e9` →
    /// 0xC3), or `nil` when no escape starts there.
    static func firstEscapedByte(in bytes: UnsafeBufferPointer<UInt8>, at position: Int, limit: Int) -> UInt8? {
        switch bytes[position] {
        case percent:
            guard position + 2 < limit, let high = PercentEncoding.hexValue(bytes[position + 1]), let low = PercentEncoding.hexValue(bytes[position + 2]) else { return nil }
            return high << 4 | low
        case plus:
            return UInt8(ascii: " ")
        case backslash:
            return jsonEscape(in: bytes, at: position, limit: limit)?.0.first
        default:
            return nil
        }
    }

    static let percent = UInt8(ascii: "%")
    static let plus = UInt8(ascii: "+")
    static let backslash = UInt8(ascii: "\\")

    /// The JSON escape at `position` (which holds `\`): the bytes it stands for and its length.
    private static func jsonEscape(in bytes: UnsafeBufferPointer<UInt8>, at position: Int, limit: Int) -> ([UInt8], Int)? {
        guard position + 1 < limit else { return nil }
        switch bytes[position + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return ([bytes[position + 1]], 2)
        case UInt8(ascii: "b"): return ([0x08], 2)
        case UInt8(ascii: "f"): return ([0x0C], 2)
        case UInt8(ascii: "n"): return ([0x0A], 2)
        case UInt8(ascii: "r"): return ([0x0D], 2)
        case UInt8(ascii: "t"): return ([0x09], 2)
        case UInt8(ascii: "u"):
            guard let unit = codeUnit(in: bytes, at: position, limit: limit) else { return nil }
            var length = 6
            var value = UInt32(unit)
            if (0xD800..<0xDC00).contains(unit) {
                // A high surrogate counts only with the low one after it (RFC 8259 §7).
                guard let low = codeUnit(in: bytes, at: position + 6, limit: limit), (0xDC00..<0xE000).contains(low) else { return nil }
                value = 0x10000 + (UInt32(unit) - 0xD800) << 10 + (UInt32(low) - 0xDC00)
                length = 12
            }
            guard let scalar = Unicode.Scalar(value) else { return nil }
            var encoded: [UInt8] = []
            UTF8.encode(scalar) { encoded.append($0) }
            return (encoded, length)
        default:
            return nil
        }
    }

    /// The UTF-16 code unit of the `\uXXXX` at `position`, or `nil` when there is none.
    private static func codeUnit(in bytes: UnsafeBufferPointer<UInt8>, at position: Int, limit: Int) -> UInt16? {
        guard position + 5 < limit, bytes[position] == backslash, bytes[position + 1] == UInt8(ascii: "u") else { return nil }
        var unit: UInt16 = 0
        for offset in 2..<6 {
            guard let digit = PercentEncoding.hexValue(bytes[position + offset]) else { return nil }
            unit = unit << 4 | UInt16(digit)
        }
        return unit
    }
}
