import Foundation

/// Every form a secret can take in a written file, built independently of `SecretRedactor`
/// (Foundation's base64, hand-made escapes), for tests asserting that a file holds none of them.
enum SecretLeakScan {
    /// The forms of `secret`, each with a description for failure messages.
    static func forms(of secret: String) -> [(form: String, bytes: [UInt8])] {
        let raw = Array(secret.utf8)
        var forms: [(String, [UInt8])] = [("raw", raw)]
        for upper in [true, false] {
            let hex = upper ? "%%%02X" : "%%%02x"
            let all = raw.map { String(format: hex, UInt32($0)) }.joined()
            forms.append(("percent-encoded, every byte, \(upper ? "upper" : "lower") case", Array(all.utf8)))
            for plus in [false, true] {
                var text = ""
                for byte in raw {
                    let scalar = Unicode.Scalar(byte)
                    if byte < 0x80, CharacterSet.alphanumerics.contains(scalar) || "-._~".unicodeScalars.contains(scalar) {
                        text.unicodeScalars.append(scalar)
                    } else if plus, byte == 0x20 {
                        text += "+"
                    } else {
                        text += String(format: hex, UInt32(byte))
                    }
                }
                forms.append(("percent-encoded, \(upper ? "upper" : "lower") case\(plus ? ", + for space" : "")", Array(text.utf8)))
            }
        }
        for (escapesSlash, upper) in [(true, false), (false, true), (true, true)] {
            var text = ""
            for unit in secret.utf16 {
                switch unit {
                case 0x2F where escapesSlash: text += "\\/"
                case 0x22: text += "\\\""
                case 0x5C: text += "\\\\"
                case 0x20..<0x7F: text.unicodeScalars.append(Unicode.Scalar(unit)!)
                default: text += String(format: upper ? "\\u%04X" : "\\u%04x", UInt32(unit))
                }
            }
            forms.append(("JSON-escaped\(escapesSlash ? ", \\/" : ""), \(upper ? "upper" : "lower") case", Array(text.utf8)))
        }
        if raw.count >= 4 {
            for url in [false, true] {
                for alignment in 0..<3 {
                    var text = Data([UInt8](repeating: 0, count: alignment) + raw + [0, 0]).base64EncodedString()
                    if url { text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_") }
                    let characters = Array(text.utf8)
                    let core = Array(characters[((8 * alignment + 5) / 6)..<((8 * (alignment + raw.count)) / 6)])
                    forms.append(("\(url ? "base64url" : "base64") at alignment \(alignment)", core))
                }
            }
        }
        return forms
    }

    /// The descriptions of the forms of `secret` found in `bytes`; empty when there is none.
    static func leaks(of secret: String, in bytes: [UInt8]) -> [String] {
        forms(of: secret).filter { contains(bytes, $0.bytes) }.map(\.form)
    }

    /// The descriptions of the forms of `secret` found in the file at `path`, or in its name.
    static func leaks(of secret: String, inFileAt path: String) -> [String] {
        let bytes = Array(FileManager.default.contents(atPath: path) ?? Data())
        let name = Array((path as NSString).lastPathComponent.utf8)
        return leaks(of: secret, in: bytes) + leaks(of: secret, in: name).map { "\($0) in the file name" }
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { start in haystack[start..<(start + needle.count)].elementsEqual(needle) }
    }
}
