/// Text made safe to place in HTML: `&`, `<`, `>`, `"` and `'` become character references, so
/// the text reads as text both between tags and inside a quoted attribute value. The one escaper of
/// the sample app's email templates and the dev server's dashboard pages.
public enum HTMLEscaping {
    /// `text` with `&`, `<`, `>`, `"` and `'` escaped.
    public static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}
