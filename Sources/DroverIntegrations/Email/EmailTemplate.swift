import Drover

/// An email template as `TEMPLATES` keeps it under `template:<name>`:
///
/// ```json
/// {"subject": "Welcome, {{name}}", "text": "Hi {{name}}, …", "html": "<p>Hi {{name}}, …</p>"}
/// ```
///
/// `subject` and at least one of `text` and `html` are required. A value that is not JSON is taken
/// as the text body of a message with the template's name as its subject.
struct EmailTemplate: Sendable {
    let subject: String
    let text: String?
    let html: String?

    /// The template stored as `value`.
    /// - Throws: ``EmailTemplateError`` when it has no subject or no body.
    init(name: String, value: String) throws(EmailTemplateError) {
        guard let json = try? JSONParser.parse(value), json.objectValue != nil else {
            subject = name
            text = value
            html = nil
            return
        }
        guard let subject = json["subject"]?.stringValue else { throw EmailTemplateError(description: "template \(name) has no subject") }
        self.subject = subject
        text = json["text"]?.stringValue
        html = json["html"]?.stringValue
        guard text != nil || html != nil else { throw EmailTemplateError(description: "template \(name) has neither text nor html") }
    }

    /// The message with every `{{name}}` replaced by `data`'s `name` (HTML-escaped in the HTML
    /// body); a placeholder with no value becomes empty text.
    func render(_ data: JSONValue) -> (subject: String, text: String?, html: String?) {
        (Self.fill(subject, data, escape: false), text.map { Self.fill($0, data, escape: false) }, html.map { Self.fill($0, data, escape: true) })
    }

    /// `template` with its `{{ name }}` placeholders (spaces inside the braces allowed) filled in.
    static func fill(_ template: String, _ data: JSONValue, escape: Bool) -> String {
        var output = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                rest = rest[open.lowerBound...]
                break
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: " ")
            let value = text(of: data[name])
            output += escape ? HTMLEscaping.escape(value) : value
            rest = rest[close.upperBound...]
        }
        return output + rest
    }

    /// A data value as text: a string as it is, a number or boolean as JSON writes it, else empty.
    static func text(of value: JSONValue?) -> String {
        switch value {
        case .string(let text)?: text
        case .integer?, .double?, .bool?: JSONSerializer.string(value!)
        default: ""
        }
    }
}

/// A stored template that cannot make a message.
struct EmailTemplateError: Error, CustomStringConvertible {
    let description: String
}

extension StringProtocol {
    /// Without the leading and trailing `characters`.
    fileprivate func trimmingCharacters(in characters: String) -> String {
        let set = Set(characters)
        return String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
