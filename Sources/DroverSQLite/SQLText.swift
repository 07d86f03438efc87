import CSQLite

/// Small scanners over SQL text: enough to tell whether what follows a statement is only white
/// space and comments (https://sqlite.org/lang_comment.html), and a statement's first keyword.
package enum SQLText {
    /// Whether the C string at `text` holds only white space, `;` and comments (or is `nil`).
    package static func isBlank(_ text: UnsafePointer<CChar>?) -> Bool {
        guard let text else { return true }
        var pointer = UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self)
        while true {
            let byte = pointer.pointee
            switch byte {
            case 0:
                return true
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), 0x0B, 0x0C,
                UInt8(ascii: ";"):
                pointer += 1
            case UInt8(ascii: "-") where pointer[1] == UInt8(ascii: "-"):
                while pointer.pointee != 0 && pointer.pointee != UInt8(ascii: "\n") { pointer += 1 }
            case UInt8(ascii: "/") where pointer[1] == UInt8(ascii: "*"):
                pointer += 2
                while pointer.pointee != 0 && !(pointer.pointee == UInt8(ascii: "*") && pointer[1] == UInt8(ascii: "/")) {
                    pointer += 1
                }
                if pointer.pointee == 0 { return true }
                pointer += 2
            default:
                return false
            }
        }
    }

    /// Whether `text` holds only white space, `;` and comments.
    package static func isBlank(_ text: String) -> Bool {
        text.withCString { isBlank($0) }
    }

    /// The first keyword of the C string `text`, upper-cased, after white space and comments.
    package static func firstKeyword(_ text: UnsafePointer<CChar>) -> String {
        var pointer = UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self)
        // Skip leading blanks and comments the same way `isBlank` does.
        while true {
            let byte = pointer.pointee
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
                || byte == UInt8(ascii: "\r")
            {
                pointer += 1
            } else if byte == UInt8(ascii: "-") && pointer[1] == UInt8(ascii: "-") {
                while pointer.pointee != 0 && pointer.pointee != UInt8(ascii: "\n") { pointer += 1 }
            } else if byte == UInt8(ascii: "/") && pointer[1] == UInt8(ascii: "*") {
                pointer += 2
                while pointer.pointee != 0 && !(pointer.pointee == UInt8(ascii: "*") && pointer[1] == UInt8(ascii: "/")) {
                    pointer += 1
                }
                if pointer.pointee != 0 { pointer += 2 }
            } else {
                break
            }
        }
        var word: [UInt8] = []
        while word.count < 16 {
            let byte = pointer.pointee
            guard (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) else { break }
            word.append(byte & ~0x20)
            pointer += 1
        }
        return String(decoding: word, as: UTF8.self)
    }

    /// The first keyword of `text`, upper-cased, after white space and comments.
    package static func firstKeyword(_ text: String) -> String {
        text.withCString { firstKeyword($0) }
    }

    /// `sql` split into its statements (each without its trailing `;`), by SQLite's own notion of a
    /// complete statement (https://sqlite.org/c3ref/complete.html): text is cut at each `;` after
    /// which what came before is complete, so `;` inside strings, comments and triggers is kept.
    package static func splitStatements(_ sql: String) -> [String] {
        var statements: [String] = []
        var current: [UInt8] = []
        for byte in sql.utf8 {
            current.append(byte)
            if byte == UInt8(ascii: ";") {
                let text = String(decoding: current, as: UTF8.self)
                if text.withCString({ sqlite3CompleteShim($0) }) {
                    if !isBlank(text) { statements.append(text) }
                    current.removeAll(keepingCapacity: true)
                }
            }
        }
        let rest = String(decoding: current, as: UTF8.self)
        if !isBlank(rest) { statements.append(rest) }
        return statements
    }
}

/// `sqlite3_complete`: whether the text ends a complete statement.
private func sqlite3CompleteShim(_ text: UnsafePointer<CChar>) -> Bool {
    sqlite3_complete(text) != 0
}
