/// The two places a browser or an API client puts a credential: `Authorization: Bearer <token>`
/// (RFC 6750 §2.1) and a cookie (RFC 6265 §5.4). Clerk, for one, sends its session token in the
/// first from an API client and in the `__session` cookie from the browser:
///
/// ```swift
/// guard let token = request.bearerToken ?? request.cookie("__session") else { throw HTTPError(401) }
/// ```
extension Request {
    /// The token of an `Authorization: Bearer <token>` field: the scheme in any case, one or more
    /// spaces, then the token (RFC 6750's `b64token`: letters, digits, `-._~+/`, trailing `=`).
    /// `nil` when there is no such field, another scheme, or a token with other characters.
    public var bearerToken: String? {
        guard let field = headers["authorization"] else { return nil }
        let bytes = Array(field.utf8)
        let scheme = Array("bearer".utf8)
        guard bytes.count > scheme.count + 1,
            zip(bytes, scheme).allSatisfy({ $0 | 0x20 == $1 }),
            bytes[scheme.count] == UInt8(ascii: " ")
        else { return nil }
        let token = bytes[(scheme.count + 1)...].drop { $0 == UInt8(ascii: " ") }
        guard !token.isEmpty else { return nil }
        let body = token.prefix { $0 != UInt8(ascii: "=") }
        let padding = token.dropFirst(body.count)
        guard !body.isEmpty, body.allSatisfy(Self.isBearerCharacter), padding.allSatisfy({ $0 == UInt8(ascii: "=") }) else {
            return nil
        }
        return String(decoding: token, as: UTF8.self)
    }

    /// The value of the first cookie named `name` in the `Cookie` fields (names compared exactly,
    /// as RFC 6265 does), its surrounding double quotes removed; `nil` when there is none.
    public func cookie(_ name: String) -> String? {
        for field in headers.values(for: "cookie") {
            for pair in field.split(separator: ";") {
                guard let equals = pair.firstIndex(of: "=") else { continue }
                guard pair[..<equals].trimmingSpaces == name[...] else { continue }
                let value = pair[pair.index(after: equals)...].trimmingSpaces
                if value.count >= 2, value.first == "\"", value.last == "\"" { return String(value.dropFirst().dropLast()) }
                return String(value)
            }
        }
        return nil
    }

    private static func isBearerCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "+"), UInt8(ascii: "/"):
            true
        default:
            false
        }
    }
}

extension Substring {
    /// Without the spaces and tabs at either end.
    fileprivate var trimmingSpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[first...last]
    }
}
