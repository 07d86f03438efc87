import Drover
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Turns the header dictionary of a FoundationNetworking `HTTPURLResponse` into ``Headers``.
///
/// What URLSession on Linux (swift-corelibs-foundation) keeps of the response head:
/// - Repeated fields of the same spelling are joined into one value with `", "`
///   (`_HTTPMessage.headersAsDictionary`), and `HTTPURLResponse` then keeps one entry per name
///   compared case-insensitively: repeated fields spelt in different cases lose all but one.
/// - The fields are a dictionary, so their order on the wire is lost.
///
/// - Repeated fields spelt in different cases stay separate entries, except for the names
///   Foundation spells canonically (`Set-Cookie`, `Content-Type`, ...): of those, one is lost.
///
/// So the fields come out one per name, sorted by name; `Headers.value(for:)` gives what the Fetch
/// standard's `get` would. `Set-Cookie` is split back into one field per cookie, at each comma that
/// starts a new `name=` pair (a comma inside `Expires=Wed, 21 Oct 2015 ...` is followed by a
/// date, not `name=`, and RFC 6265 §4.1.1 bars commas from cookie values).
///
/// libcurl decodes `gzip`, `deflate`, `br` and `zstd` bodies by itself (URLSession turns on
/// `CURLOPT_ACCEPT_ENCODING`), so when the response had a `Content-Encoding` other than
/// `identity`, that field and `Content-Length` (the encoded length) are dropped: the body handed
/// on is the decoded one, and a handler that returns the response as it is must not label it.
/// Connection-specific fields (`Connection`, `Keep-Alive`, `Transfer-Encoding`, ...) are dropped
/// too: they described the hop to the upstream, and libcurl has already undone chunked coding
/// (RFC 9110 §7.6.1, RFC 9112 §7.1).
enum URLSessionResponseHeaders {
    /// Fields that belong to the connection to the upstream, not to the response.
    static let connectionHeaderNames: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
    ]

    /// The fields of `response`.
    static func headers(of response: HTTPURLResponse) -> Headers {
        var pairs: [(name: String, value: String)] = []
        for (key, value) in response.allHeaderFields {
            guard let name = key as? String else { continue }
            pairs.append((name.lowercased(), value as? String ?? "\(value)"))
        }
        pairs.sort { $0.name == $1.name ? $0.value < $1.value : $0.name < $1.name }
        let decoded = pairs.contains { $0.name == "content-encoding" && $0.value.lowercased() != "identity" }
        var fields: [Headers.Field] = []
        fields.reserveCapacity(pairs.count)
        for (name, value) in pairs {
            if connectionHeaderNames.contains(name) { continue }
            if decoded && (name == "content-encoding" || name == "content-length") { continue }
            if name == "set-cookie" {
                for cookie in splitSetCookie(value) { fields.append(Headers.Field(lowercasedName: name, value: cookie)) }
            } else {
                fields.append(Headers.Field(lowercasedName: name, value: value))
            }
        }
        return Headers(fields: fields)
    }

    /// Splits `Set-Cookie` values that were joined with `", "` back into one value per cookie.
    static func splitSetCookie(_ combined: String) -> [String] {
        let bytes = Array(combined.utf8)
        var cookies: [String] = []
        var start = 0
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: ",") {
                var nameStart = index + 1
                while nameStart < bytes.count && (bytes[nameStart] == UInt8(ascii: " ") || bytes[nameStart] == 9) {
                    nameStart += 1
                }
                var nameEnd = nameStart
                while nameEnd < bytes.count && isTokenByte(bytes[nameEnd]) { nameEnd += 1 }
                if nameEnd > nameStart && nameEnd < bytes.count && bytes[nameEnd] == UInt8(ascii: "=") {
                    appendTrimmed(bytes[start..<index], to: &cookies)
                    start = nameStart
                    index = nameEnd
                    continue
                }
            }
            index += 1
        }
        appendTrimmed(bytes[start...], to: &cookies)
        return cookies
    }

    private static func appendTrimmed(_ bytes: ArraySlice<UInt8>, to cookies: inout [String]) {
        var slice = bytes
        while let first = slice.first, first == UInt8(ascii: " ") || first == 9 { slice = slice.dropFirst() }
        while let last = slice.last, last == UInt8(ascii: " ") || last == 9 { slice = slice.dropLast() }
        if !slice.isEmpty { cookies.append(String(decoding: slice, as: UTF8.self)) }
    }

    /// RFC 9110 §5.6.2 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
            UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}
