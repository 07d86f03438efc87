import Drover

/// An email as `POST /api/email` queues it on `EMAILS` and the `emails` consumer reads it back:
/// `{"id", "to", "template", "data"}`.
struct EmailMessage: Sendable {
    /// The message id: `em_` and 24 hex digits; the provider's `Idempotency-Key`.
    let id: String
    let to: String
    let template: String
    let data: JSONValue

    var json: JSONValue {
        ["id": .string(id), "to": .string(to), "template": .string(template), "data": data]
    }

    init(id: String, to: String, template: String, data: JSONValue) {
        self.id = id
        self.to = to
        self.template = template
        self.data = data
    }

    /// The email in a queued message's body.
    /// - Throws: ``EmailMessageError`` when it is not one this app queued.
    init(_ body: MessageBody) throws(EmailMessageError) {
        guard let json = body.json, let id = json["id"]?.stringValue, let to = json["to"]?.stringValue,
            let template = json["template"]?.stringValue
        else { throw EmailMessageError(description: "the message is not a queued email") }
        self.init(id: id, to: to, template: template, data: json["data"] ?? [:])
    }

    /// A new message id; from `idempotencyKey` when given, so the same key always names the same
    /// message.
    static func makeID(idempotencyKey: String?) -> String {
        let bytes = idempotencyKey.map { Array(Crypto.sha256(Array("email:\($0)".utf8)).prefix(12)) } ?? Crypto.randomBytes(count: 12)
        return "em_" + Hex.encode(bytes)
    }

    /// Whether `address` is a plain email address: one `@`, a local part of 1–64 printable
    /// characters with none of `"(),:;<>[\]` or spaces, a domain of dot-separated labels of letters,
    /// digits and hyphens, 254 characters at most. Nothing that could add a header or a second
    /// recipient passes.
    static func isAddress(_ address: String) -> Bool {
        let bytes = Array(address.utf8)
        guard bytes.count <= 254, let at = bytes.firstIndex(of: UInt8(ascii: "@")), bytes.lastIndex(of: UInt8(ascii: "@")) == at else { return false }
        let local = bytes[..<at]
        let domain = bytes[(at + 1)...]
        guard (1...64).contains(local.count), local.first != UInt8(ascii: "."), local.last != UInt8(ascii: "."),
            local.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !Array("\"(),:;<>[\\]@".utf8).contains($0) })
        else { return false }
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            (1...63).contains(label.count) && label.first != UInt8(ascii: "-") && label.last != UInt8(ascii: "-")
                && label.allSatisfy { byte in
                    switch byte {
                    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                        UInt8(ascii: "-"):
                        true
                    default:
                        false
                    }
                }
        }
    }

    /// Template names: 1–64 letters, digits, `-`, `_`, `.`.
    static func isTemplateName(_ name: String) -> Bool {
        TextRules.isToken(name, maxLength: 64, extra: "-_.")
    }
}

/// A queued message that is not an email of this app: retried, then dead-lettered.
struct EmailMessageError: Error, CustomStringConvertible {
    let description: String
}
