import Drover
import Foundation

/// The claims of a JWT (RFC 7519 §4): the registered ones typed, every one as JSON.
///
/// The registered claims are checked for their type when the token is parsed, so reading them
/// never fails: `iss`, `sub` and `azp` are strings, `aud` is a string or an array of strings,
/// `exp`, `nbf` and `iat` are finite numbers of seconds since the epoch, possibly fractional
/// (a NumericDate, RFC 7519 §2). Other claims (`sid`, `email`, …) are read with the subscript.
public struct JWTClaims: Sendable, Hashable {
    /// Every claim, as parsed.
    public let members: JSONObject
    /// `iss`: who issued the token.
    public let issuer: String?
    /// `sub`: whom the token is about (a user id).
    public let subject: String?
    /// `aud`: for whom the token is meant; a single string is a one-element array. Nil when absent.
    public let audience: [String]?
    /// `azp`: the party the token was issued to (Clerk puts the origin of the page here).
    public let authorizedParty: String?
    /// `exp`, in seconds since the epoch.
    public let expirationTime: Double?
    /// `nbf`, in seconds since the epoch.
    public let notBeforeTime: Double?
    /// `iat`, in seconds since the epoch.
    public let issuedAtTime: Double?

    /// The claims in `json`.
    /// - Throws: ``JWTError/Code/invalidJSON`` when it is not an object (RFC 7519 §7.2 step 10);
    ///   ``JWTError/Code/invalidClaim`` when a registered claim has the wrong type.
    public init(_ json: JSONValue) throws(JWTError) {
        guard let object = json.objectValue else {
            throw JWTError(.invalidJSON, "the payload is a JSON \(json.kindName), not an object")
        }
        // One pass over the members picks out the registered claims, instead of a search of the
        // object per claim: this runs for every token. Their names are all three ASCII letters, so
        // a name is read as one 24-bit number and told apart by a switch, not by string compares.
        var iss, sub, azp, aud, exp, nbf, iat: JSONValue?
        for (name, value) in object.pairs {
            switch Self.threeLetters(name) {
            case 0x69_73_73: iss = value  // "iss"
            case 0x73_75_62: sub = value  // "sub"
            case 0x61_7a_70: azp = value  // "azp"
            case 0x61_75_64: aud = value  // "aud"
            case 0x65_78_70: exp = value  // "exp"
            case 0x6e_62_66: nbf = value  // "nbf"
            case 0x69_61_74: iat = value  // "iat"
            default: break
            }
        }
        // Every check first, then every member at once: a throw between stored properties would
        // make the compiler copy the half-built value on the way out.
        let issuer = try Self.string("iss", iss), subject = try Self.string("sub", sub)
        let authorizedParty = try Self.string("azp", azp), audience = try Self.audience(aud)
        let expirationTime = try Self.numericDate("exp", exp), notBeforeTime = try Self.numericDate("nbf", nbf)
        let issuedAtTime = try Self.numericDate("iat", iat)
        self.init(
            members: object, issuer: issuer, subject: subject, audience: audience, authorizedParty: authorizedParty,
            expirationTime: expirationTime, notBeforeTime: notBeforeTime, issuedAtTime: issuedAtTime)
    }

    private init(
        members: JSONObject, issuer: String?, subject: String?, audience: [String]?, authorizedParty: String?,
        expirationTime: Double?, notBeforeTime: Double?, issuedAtTime: Double?
    ) {
        self.members = members
        self.issuer = issuer
        self.subject = subject
        self.audience = audience
        self.authorizedParty = authorizedParty
        self.expirationTime = expirationTime
        self.notBeforeTime = notBeforeTime
        self.issuedAtTime = issuedAtTime
    }

    /// `name`'s three bytes as one number (`"iss"` is `0x697373`), or 0 when it is not three
    /// bytes long: no registered name's code.
    static func threeLetters(_ name: String) -> UInt32 {
        let utf8 = name.utf8
        guard utf8.count == 3 else { return 0 }
        // A name read from JSON is a native string, whose bytes are read in place.
        if let code = utf8.withContiguousStorageIfAvailable({ UInt32($0[0]) << 16 | UInt32($0[1]) << 8 | UInt32($0[2]) }) {
            return code
        }
        return utf8.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// The claim named `name`, whatever its type.
    public subscript(name: String) -> JSONValue? {
        members[name]
    }

    /// `exp` as a date.
    public var expiresAt: Date? { expirationTime.map(Date.init(timeIntervalSince1970:)) }
    /// `nbf` as a date.
    public var notBefore: Date? { notBeforeTime.map(Date.init(timeIntervalSince1970:)) }
    /// `iat` as a date.
    public var issuedAt: Date? { issuedAtTime.map(Date.init(timeIntervalSince1970:)) }

    private static func string(_ name: String, _ value: JSONValue?) throws(JWTError) -> String? {
        guard let value else { return nil }
        guard let string = value.stringValue else {
            throw JWTError(.invalidClaim, "\"\(name)\" is a \(value.kindName), not a string")
        }
        return string
    }

    /// `aud`: "an array of case-sensitive strings" or, with one audience, "a single case-sensitive
    /// string" (RFC 7519 §4.1.3).
    private static func audience(_ value: JSONValue?) throws(JWTError) -> [String]? {
        guard let value else { return nil }
        if let single = value.stringValue { return [single] }
        guard let elements = value.arrayValue else {
            throw JWTError(.invalidClaim, "\"aud\" is a \(value.kindName), not a string or an array of strings")
        }
        var audiences: [String] = []
        for element in elements {
            guard let string = element.stringValue else {
                throw JWTError(.invalidClaim, "\"aud\" holds a \(element.kindName), not only strings")
            }
            audiences.append(string)
        }
        return audiences
    }

    /// A NumericDate: "a JSON numeric value representing the number of seconds from
    /// 1970-01-01T00:00:00Z UTC … non-integer values can be represented" (RFC 7519 §2). A number
    /// too large for a double (`1e400`) parses as infinity and is refused.
    private static func numericDate(_ name: String, _ value: JSONValue?) throws(JWTError) -> Double? {
        guard let value else { return nil }
        guard let seconds = value.doubleValue else {
            throw JWTError(.invalidClaim, "\"\(name)\" is a \(value.kindName), not a number")
        }
        guard seconds.isFinite else { throw JWTError(.invalidClaim, "\"\(name)\" is not a finite number") }
        return seconds
    }
}
