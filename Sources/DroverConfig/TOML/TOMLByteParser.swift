// Byte constants used by the TOML grammar.
private let space: UInt8 = 0x20
private let tab: UInt8 = 0x09
private let lf: UInt8 = 0x0A
private let cr: UInt8 = 0x0D
private let quote: UInt8 = 0x22
private let apostrophe: UInt8 = 0x27
private let backslash: UInt8 = 0x5C
private let hash: UInt8 = 0x23
private let equals: UInt8 = 0x3D
private let dot: UInt8 = 0x2E
private let comma: UInt8 = 0x2C
private let plus: UInt8 = 0x2B
private let minus: UInt8 = 0x2D
private let colon: UInt8 = 0x3A
private let underscore: UInt8 = 0x5F
private let openBracket: UInt8 = 0x5B
private let closeBracket: UInt8 = 0x5D
private let openBrace: UInt8 = 0x7B
private let closeBrace: UInt8 = 0x7D

@inline(__always) private func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
@inline(__always) private func isHexDigit(_ b: UInt8) -> Bool {
    isDigit(b) || (b | 0x20) &- 0x61 < 6
}
@inline(__always) private func hexValue(_ b: UInt8) -> UInt32 {
    isDigit(b) ? UInt32(b - 0x30) : UInt32((b | 0x20) - 0x61 + 10)
}
/// TOML 1.0.0 §Keys: bare keys are `A-Za-z0-9_-`.
@inline(__always) private func isBareKeyByte(_ b: UInt8) -> Bool {
    isDigit(b) || (b | 0x20) &- 0x61 < 26 || b == underscore || b == minus
}
/// TOML 1.0.0 §Comment, §String: control characters other than tab are not permitted.
@inline(__always) private func isForbiddenControl(_ b: UInt8) -> Bool {
    (b < 0x20 && b != tab) || b == 0x7F
}
@inline(__always) private func isNumberTokenByte(_ b: UInt8) -> Bool {
    isBareKeyByte(b) || b == plus || b == dot
}

/// The TOML 1.0.0 grammar over a buffer of UTF-8 bytes. Used by ``TOMLParser``; one instance per document.
struct TOMLByteParser {
    private struct KeyPart {
        let name: String
        let position: TOMLPosition
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let count: Int
    private let file: String
    private var index = 0
    private var line = 1
    private var lineStart = 0
    private var columnCache = (line: 0, index: 0, column: 1)

    init(bytes: UnsafeBufferPointer<UInt8>, file: String) {
        self.bytes = bytes
        self.count = bytes.count
        self.file = file
    }

    // MARK: Positions and errors

    @inline(__always) private var atEnd: Bool { index >= count }

    @inline(__always) private func peek(_ offset: Int = 0) -> UInt8 {
        let i = index + offset
        return i < count ? bytes[i] : 0
    }

    /// The position of byte `i` on the current line; columns count Unicode scalars (non-continuation bytes).
    /// Positions are asked for in increasing order, so a cache keeps this linear over a long line.
    private mutating func position(at i: Int) -> TOMLPosition {
        guard i >= lineStart else { return slowPosition(at: i) }
        var start = lineStart
        var column = 1
        if columnCache.line == line, columnCache.index >= lineStart, columnCache.index <= i {
            start = columnCache.index
            column = columnCache.column
        }
        var j = start
        while j < i {
            if bytes[j] & 0xC0 != 0x80 { column += 1 }
            j += 1
        }
        columnCache = (line, i, column)
        return TOMLPosition(line: line, column: column)
    }

    private func slowPosition(at i: Int) -> TOMLPosition {
        var line = 1
        var column = 1
        var j = 0
        while j < i && j < count {
            if bytes[j] == lf {
                line += 1
                column = 1
            } else if bytes[j] & 0xC0 != 0x80 {
                column += 1
            }
            j += 1
        }
        return TOMLPosition(line: line, column: column)
    }

    private mutating func here() -> TOMLPosition { position(at: index) }

    private mutating func error(_ kind: TOMLError.Kind, _ message: String, at position: TOMLPosition? = nil) -> TOMLError {
        TOMLError(kind, message, file: file, position: position ?? here())
    }

    /// Names the byte at the cursor for messages.
    private func found() -> String {
        guard index < count else { return "end of input" }
        let b = bytes[index]
        switch b {
        case lf, cr: return "end of line"
        case 0x21...0x7E: return "'\(Character(Unicode.Scalar(b)))'"
        case space: return "a space"
        case tab: return "a tab"
        default: return b < 0x80 ? "control character U+\(hex(UInt32(b), 4))" : "a non-ASCII character"
        }
    }

    private func hex(_ value: UInt32, _ width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Call after consuming a line feed.
    @inline(__always) private mutating func startLine() {
        line += 1
        lineStart = index
    }

    // MARK: Document

    mutating func parseDocument() throws(TOMLError) -> TOMLTable {
        if let bad = firstInvalidUTF8() {
            throw TOMLError(.invalidEncoding, "invalid UTF-8 byte sequence", file: file, position: slowPosition(at: bad))
        }
        // TOML 1.0.0 is UTF-8; a leading byte order mark is not content.
        if count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            index = 3
            lineStart = 3
        }
        let root = TOMLTableNode(origin: .root, depth: 0, position: TOMLPosition(line: 1, column: 1))
        var current = root
        while true {
            skipWhitespace()
            guard index < count else { break }
            switch bytes[index] {
            case lf, cr: try consumeNewline()
            case hash: try skipComment()
            case openBracket:
                current = try parseHeader(root: root)
                try expectLineEnd()
            default:
                try parseKeyValue(into: current)
                try expectLineEnd()
            }
        }
        return root.makeTable()
    }

    private func firstInvalidUTF8() -> Int? {
        var i = 0
        while i < count {
            let c = bytes[i]
            if c < 0x80 {
                i += 1
                continue
            }
            let need: Int
            var scalar: UInt32
            let minimum: UInt32
            if c & 0xE0 == 0xC0 {
                need = 1
                scalar = UInt32(c & 0x1F)
                minimum = 0x80
            } else if c & 0xF0 == 0xE0 {
                need = 2
                scalar = UInt32(c & 0x0F)
                minimum = 0x800
            } else if c & 0xF8 == 0xF0 {
                need = 3
                scalar = UInt32(c & 0x07)
                minimum = 0x10000
            } else {
                return i
            }
            guard i + need < count else { return i }
            for k in 1...need {
                let d = bytes[i + k]
                guard d & 0xC0 == 0x80 else { return i }
                scalar = scalar << 6 | UInt32(d & 0x3F)
            }
            if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return i }
            i += need + 1
        }
        return nil
    }

    // MARK: Whitespace, comments, newlines

    @inline(__always) private mutating func skipWhitespace() {
        while index < count, bytes[index] == space || bytes[index] == tab { index += 1 }
    }

    /// Consumes LF or CRLF (TOML 1.0.0 §Spec: "Newline means LF (0x0A) or CRLF (0x0D 0x0A)").
    private mutating func consumeNewline() throws(TOMLError) {
        if peek() == lf {
            index += 1
        } else if peek() == cr, peek(1) == lf {
            index += 2
        } else {
            throw error(.syntax, "carriage return not followed by a line feed")
        }
        startLine()
    }

    /// TOML 1.0.0 §Comment: from `#` to the end of the line; control characters other than tab are not permitted.
    private mutating func skipComment() throws(TOMLError) {
        index += 1
        while index < count {
            let b = bytes[index]
            if b == lf { return }
            if b == cr {
                if peek(1) == lf { return }
                throw error(.syntax, "carriage return not followed by a line feed in a comment")
            }
            if isForbiddenControl(b) {
                throw error(.syntax, "control character U+\(hex(UInt32(b), 4)) is not allowed in a comment")
            }
            index += 1
        }
    }

    /// Skips whitespace, comments and newlines (inside arrays, TOML 1.0.0 §Array).
    private mutating func skipTrivia() throws(TOMLError) {
        while index < count {
            switch bytes[index] {
            case space, tab: index += 1
            case hash: try skipComment()
            case lf, cr: try consumeNewline()
            default: return
            }
        }
    }

    /// After a key/value pair or a header only whitespace and a comment may follow on the line.
    private mutating func expectLineEnd() throws(TOMLError) {
        skipWhitespace()
        if peek() == hash { try skipComment() }
        guard index < count else { return }
        guard bytes[index] == lf || bytes[index] == cr else {
            throw error(.syntax, "expected the end of the line, found \(found())")
        }
        try consumeNewline()
    }

    // MARK: Keys and tables

    /// TOML 1.0.0 §Keys: bare, basic-quoted or literal-quoted parts joined by dots, whitespace around dots allowed.
    private mutating func parseKey() throws(TOMLError) -> [KeyPart] {
        var parts: [KeyPart] = []
        while true {
            skipWhitespace()
            let start = here()
            let name: String
            switch peek() {
            case quote:
                if peek(1) == quote, peek(2) == quote {
                    throw error(.syntax, "a multi-line string cannot be a key")
                }
                name = try parseBasicString()
            case apostrophe:
                if peek(1) == apostrophe, peek(2) == apostrophe {
                    throw error(.syntax, "a multi-line string cannot be a key")
                }
                name = try parseLiteralString()
            case let b where isBareKeyByte(b) && index < count:
                let begin = index
                while index < count, isBareKeyByte(bytes[index]) { index += 1 }
                name = String(decoding: UnsafeBufferPointer(rebasing: bytes[begin..<index]), as: UTF8.self)
            default:
                throw error(.syntax, "expected a key, found \(found())")
            }
            parts.append(KeyPart(name: name, position: start))
            skipWhitespace()
            guard peek() == dot else { return parts }
            index += 1
        }
    }

    private func path(_ parts: [KeyPart], upTo last: Int? = nil) -> String {
        parts[...(last ?? parts.count - 1)].map { part in
            let bare = !part.name.isEmpty && part.name.utf8.allSatisfy(isBareKeyByte)
            return bare ? part.name : TOMLByteParser.quotedKey(part.name)
        }.joined(separator: ".")
    }

    /// A key as a TOML basic string, control characters escaped, so messages stay on one line.
    static func quotedKey(_ name: String) -> String {
        var out = "\""
        for scalar in name.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case let c where c.value < 0x20 || c.value == 0x7F:
                let digits = String(c.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private mutating func checkDepth(_ depth: Int, at position: TOMLPosition) throws(TOMLError) {
        if depth > TOMLParser.maximumDepth {
            throw error(.nestingTooDeep, "nesting deeper than \(TOMLParser.maximumDepth) levels", at: position)
        }
    }

    /// `key = value` into `table`, creating tables for dotted keys (TOML 1.0.0 §Keys, §Table).
    private mutating func parseKeyValue(into table: TOMLTableNode) throws(TOMLError) {
        let keys = try parseKey()
        guard peek() == equals else {
            throw error(.syntax, "expected '=' after the key \(path(keys)), found \(found())")
        }
        index += 1
        skipWhitespace()
        let value = try parseValue(depth: table.depth + keys.count)
        var target = table
        for (i, part) in keys.dropLast().enumerated() {
            if let child = target[part.name] {
                // TOML 1.0.0 §Table: dotted keys may only extend tables that dotted keys created; a table
                // from a [header], an inline table or an array is closed to them.
                guard case .table(let node) = child, node.origin == .dotted else {
                    throw error(
                        .redefinition,
                        "cannot add keys to \(path(keys, upTo: i)) with dotted keys: it is already defined",
                        at: part.position
                    )
                }
                target = node
            } else {
                try checkDepth(target.depth + 1, at: part.position)
                let node = TOMLTableNode(origin: .dotted, depth: target.depth + 1, position: part.position)
                target.add(part.name, .table(node), at: part.position)
                target = node
            }
        }
        let last = keys[keys.count - 1]
        if target[last.name] != nil {
            throw error(.redefinition, "duplicate key \(path(keys))", at: last.position)
        }
        target.add(last.name, .value(value), at: last.position)
    }

    /// `[a.b]` or `[[a.b]]` (TOML 1.0.0 §Table, §Array of Tables). Returns the table that following keys go into.
    private mutating func parseHeader(root: TOMLTableNode) throws(TOMLError) -> TOMLTableNode {
        index += 1
        let isArray = peek() == openBracket
        if isArray { index += 1 }
        let keys = try parseKey()
        guard peek() == closeBracket else {
            throw error(.syntax, "expected ']' to close the table header, found \(found())")
        }
        index += 1
        if isArray {
            guard peek() == closeBracket else {
                throw error(.syntax, "expected ']]' to close the array-of-tables header, found \(found())")
            }
            index += 1
        }
        var table = root
        for (i, part) in keys.dropLast().enumerated() {
            switch table[part.name] {
            case nil:
                try checkDepth(table.depth + 1, at: part.position)
                let node = TOMLTableNode(origin: .implicit, depth: table.depth + 1, position: part.position)
                table.add(part.name, .table(node), at: part.position)
                table = node
            case .table(let node):
                table = node
            case .tableArray(let array):
                // TOML 1.0.0 §Array of Tables: a sub-table header refers to the most recent element.
                table = array.elements[array.elements.count - 1]
            case .value(let value):
                throw error(
                    .redefinition,
                    "cannot define a table inside \(path(keys, upTo: i)): it is already a \(value.typeName)",
                    at: part.position
                )
            }
        }
        let last = keys[keys.count - 1]
        let name = path(keys)
        try checkDepth(table.depth + 1, at: last.position)
        if isArray {
            let element = TOMLTableNode(origin: .header, depth: table.depth + 1, position: last.position)
            switch table[last.name] {
            case nil:
                let array = TOMLTableArrayNode(position: last.position)
                array.elements.append(element)
                table.add(last.name, .tableArray(array), at: last.position)
            case .tableArray(let array):
                array.elements.append(element)
            case .table:
                throw error(.redefinition, "cannot define [[\(name)]]: \(name) is already a table", at: last.position)
            case .value(let value):
                throw error(
                    .redefinition,
                    "cannot append to [[\(name)]]: \(name) is already a static \(value.typeName)",
                    at: last.position
                )
            }
            return element
        }
        switch table[last.name] {
        case nil:
            let node = TOMLTableNode(origin: .header, depth: table.depth + 1, position: last.position)
            table.add(last.name, .table(node), at: last.position)
            return node
        case .table(let node):
            switch node.origin {
            case .implicit:
                node.origin = .header
                return node
            case .dotted:
                throw error(.redefinition, "table [\(name)] is already defined by dotted keys", at: last.position)
            default:
                throw error(.redefinition, "table [\(name)] is defined twice", at: last.position)
            }
        case .tableArray:
            throw error(.redefinition, "cannot define [\(name)]: it is already an array of tables", at: last.position)
        case .value(let value):
            throw error(.redefinition, "cannot define [\(name)]: it is already a \(value.typeName)", at: last.position)
        }
    }

    // MARK: Values

    private mutating func parseValue(depth: Int) throws(TOMLError) -> TOMLValue {
        let start = here()
        try checkDepth(depth, at: start)
        switch peek() {
        case quote:
            if peek(1) == quote, peek(2) == quote {
                return TOMLValue(.string(try parseMultilineBasicString()), position: start)
            }
            return TOMLValue(.string(try parseBasicString()), position: start)
        case apostrophe:
            if peek(1) == apostrophe, peek(2) == apostrophe {
                return TOMLValue(.string(try parseMultilineLiteralString()), position: start)
            }
            return TOMLValue(.string(try parseLiteralString()), position: start)
        case 0x74:  // t
            try expectWord("true")
            return TOMLValue(.boolean(true), position: start)
        case 0x66:  // f
            try expectWord("false")
            return TOMLValue(.boolean(false), position: start)
        case openBracket:
            return try parseArray(depth: depth, start: start)
        case openBrace:
            return try parseInlineTable(depth: depth, start: start)
        case let b where (isDigit(b) || b == plus || b == minus || b == 0x69 || b == 0x6E) && index < count:
            return TOMLValue(try parseNumberOrDate(), position: start)
        default:
            throw error(.syntax, "expected a value, found \(found())")
        }
    }

    /// TOML 1.0.0 §Boolean: lowercase `true` and `false` only.
    private mutating func expectWord(_ word: StaticString) throws(TOMLError) {
        let length = word.utf8CodeUnitCount
        let ok = index + length <= count && (0..<length).allSatisfy { bytes[index + $0] == word.utf8Start[$0] }
        guard ok, !(index + length < count && isBareKeyByte(bytes[index + length])) else {
            throw error(.syntax, "expected a value, found \(found())")
        }
        index += length
    }

    /// TOML 1.0.0 §Array: values separated by commas, a trailing comma allowed, newlines and comments between.
    private mutating func parseArray(depth: Int, start: TOMLPosition) throws(TOMLError) -> TOMLValue {
        index += 1
        var elements: [TOMLValue] = []
        while true {
            try skipTrivia()
            guard index < count else { throw error(.syntax, "unterminated array", at: start) }
            if bytes[index] == closeBracket {
                index += 1
                break
            }
            elements.append(try parseValue(depth: depth + 1))
            try skipTrivia()
            if peek() == comma {
                index += 1
            } else if peek() == closeBracket {
                index += 1
                break
            } else if atEnd {
                throw error(.syntax, "unterminated array", at: start)
            } else {
                throw error(.syntax, "expected ',' or ']' in an array, found \(found())")
            }
        }
        return TOMLValue(.array(elements), position: start)
    }

    /// TOML 1.0.0 §Inline Table: on one line, no trailing comma, closed to later additions.
    private mutating func parseInlineTable(depth: Int, start: TOMLPosition) throws(TOMLError) -> TOMLValue {
        index += 1
        let node = TOMLTableNode(origin: .inline, depth: depth, position: start)
        skipWhitespace()
        if peek() == closeBrace {
            index += 1
            return TOMLValue(.table(TOMLTable()), position: start)
        }
        while true {
            skipWhitespace()
            if peek() == lf || peek() == cr {
                throw error(.syntax, "newlines are not allowed inside an inline table")
            }
            try parseKeyValue(into: node)
            skipWhitespace()
            switch peek() {
            case comma:
                index += 1
                skipWhitespace()
                if peek() == closeBrace {
                    throw error(.syntax, "a trailing comma is not allowed in an inline table")
                }
            case closeBrace:
                index += 1
                return TOMLValue(.table(node.makeTable()), position: start)
            case lf, cr:
                throw error(.syntax, "newlines are not allowed inside an inline table")
            default:
                if atEnd { throw error(.syntax, "unterminated inline table", at: start) }
                throw error(.syntax, "expected ',' or '}' in an inline table, found \(found())")
            }
        }
    }

    // MARK: Strings

    /// Appends a scalar's UTF-8 encoding.
    private func appendScalar(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | scalar >> 6))
            out.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | scalar >> 12))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        default:
            out.append(UInt8(0xF0 | scalar >> 18))
            out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// TOML 1.0.0 §String escapes: `\b \t \n \f \r \" \\ \uXXXX \UXXXXXXXX`, the code point a Unicode scalar value.
    private mutating func parseEscape(into out: inout [UInt8]) throws(TOMLError) {
        let start = here()
        index += 1
        guard index < count else { throw error(.syntax, "unterminated string") }
        let b = bytes[index]
        index += 1
        switch b {
        case 0x62: out.append(0x08)  // b
        case 0x74: out.append(tab)  // t
        case 0x6E: out.append(lf)  // n
        case 0x66: out.append(0x0C)  // f
        case 0x72: out.append(cr)  // r
        case quote: out.append(quote)
        case backslash: out.append(backslash)
        case 0x75, 0x55:  // u, U
            let digits = b == 0x75 ? 4 : 8
            var scalar: UInt32 = 0
            for _ in 0..<digits {
                guard index < count, isHexDigit(bytes[index]) else {
                    throw error(.syntax, "\\\(b == 0x75 ? "u" : "U") needs \(digits) hexadecimal digits", at: start)
                }
                scalar = scalar << 4 | hexValue(bytes[index])
                index += 1
            }
            guard scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else {
                throw error(.invalidValue, "U+\(hex(scalar, 4)) is not a Unicode scalar value", at: start)
            }
            appendScalar(scalar, to: &out)
        default:
            index -= 1
            throw error(.syntax, "invalid escape sequence \\\(found().trimmingQuotes)", at: start)
        }
    }

    private mutating func controlCharacterError(in what: String) -> TOMLError {
        let b = bytes[index]
        if b == lf || b == cr { return error(.syntax, "newline in a \(what); close the string first") }
        return error(.syntax, "control character U+\(hex(UInt32(b), 4)) must be escaped in a \(what)")
    }

    /// `"..."` (TOML 1.0.0 §String, basic string).
    private mutating func parseBasicString() throws(TOMLError) -> String {
        let start = here()
        index += 1
        var out: [UInt8] = []
        var run = index
        while true {
            guard index < count else { throw error(.syntax, "unterminated string", at: start) }
            let b = bytes[index]
            if b == quote {
                let text: String
                if out.isEmpty {
                    text = String(decoding: UnsafeBufferPointer(rebasing: bytes[run..<index]), as: UTF8.self)
                } else {
                    out.append(contentsOf: bytes[run..<index])
                    text = String(decoding: out, as: UTF8.self)
                }
                index += 1
                return text
            }
            if b == backslash {
                out.append(contentsOf: bytes[run..<index])
                try parseEscape(into: &out)
                run = index
                continue
            }
            if isForbiddenControl(b) { throw controlCharacterError(in: "string") }
            index += 1
        }
    }

    /// `'...'` (TOML 1.0.0 §String, literal string): no escapes.
    private mutating func parseLiteralString() throws(TOMLError) -> String {
        let start = here()
        index += 1
        let begin = index
        while true {
            guard index < count else { throw error(.syntax, "unterminated string", at: start) }
            let b = bytes[index]
            if b == apostrophe {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[begin..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if isForbiddenControl(b) { throw controlCharacterError(in: "literal string") }
            index += 1
        }
    }

    /// Skips the newline right after an opening `"""` or `'''` (TOML 1.0.0 §String: it is trimmed).
    private mutating func trimFirstNewline() {
        if peek() == lf {
            index += 1
            startLine()
        } else if peek() == cr, peek(1) == lf {
            index += 2
            startLine()
        }
    }

    /// Handles a run of delimiters inside a multi-line string. Returns true when the string is closed.
    /// TOML 1.0.0 §String: one or two delimiters may sit right before the closing three.
    private mutating func delimiterRun(_ delimiter: UInt8, into out: inout [UInt8]) throws(TOMLError) -> Bool {
        var n = 0
        while index + n < count, bytes[index + n] == delimiter { n += 1 }
        if n < 3 {
            out.append(contentsOf: repeatElement(delimiter, count: n))
            index += n
            return false
        }
        if n > 5 {
            index += 5
            throw error(.syntax, "too many quotes at the end of a multi-line string")
        }
        out.append(contentsOf: repeatElement(delimiter, count: n - 3))
        index += n
        return true
    }

    /// A newline inside a multi-line string; CRLF is normalized to LF (TOML 1.0.0 §String allows normalizing).
    private mutating func multilineNewline(into out: inout [UInt8], what: String) throws(TOMLError) {
        if bytes[index] == cr {
            guard peek(1) == lf else { throw error(.syntax, "carriage return not followed by a line feed in a \(what)") }
            index += 1
        }
        index += 1
        out.append(lf)
        startLine()
    }

    /// `"""..."""` (TOML 1.0.0 §String, multi-line basic string), with line-ending backslashes.
    private mutating func parseMultilineBasicString() throws(TOMLError) -> String {
        let start = here()
        index += 3
        trimFirstNewline()
        var out: [UInt8] = []
        while true {
            guard index < count else { throw error(.syntax, "unterminated multi-line string", at: start) }
            let b = bytes[index]
            switch b {
            case quote:
                if try delimiterRun(quote, into: &out) { return String(decoding: out, as: UTF8.self) }
            case backslash:
                var j = index + 1
                while j < count, bytes[j] == space || bytes[j] == tab { j += 1 }
                if j < count, bytes[j] == lf || (bytes[j] == cr && j + 1 < count && bytes[j + 1] == lf) {
                    // Line-ending backslash: drop it and all whitespace and newlines up to the next content.
                    index = j
                    while index < count {
                        let c = bytes[index]
                        if c == space || c == tab {
                            index += 1
                        } else if c == lf {
                            index += 1
                            startLine()
                        } else if c == cr, peek(1) == lf {
                            index += 2
                            startLine()
                        } else {
                            break
                        }
                    }
                } else {
                    try parseEscape(into: &out)
                }
            case lf, cr:
                try multilineNewline(into: &out, what: "multi-line string")
            default:
                if isForbiddenControl(b) { throw controlCharacterError(in: "multi-line string") }
                out.append(b)
                index += 1
            }
        }
    }

    /// `'''...'''` (TOML 1.0.0 §String, multi-line literal string).
    private mutating func parseMultilineLiteralString() throws(TOMLError) -> String {
        let start = here()
        index += 3
        trimFirstNewline()
        var out: [UInt8] = []
        while true {
            guard index < count else { throw error(.syntax, "unterminated multi-line string", at: start) }
            let b = bytes[index]
            switch b {
            case apostrophe:
                if try delimiterRun(apostrophe, into: &out) { return String(decoding: out, as: UTF8.self) }
            case lf, cr:
                try multilineNewline(into: &out, what: "multi-line literal string")
            default:
                if isForbiddenControl(b) { throw controlCharacterError(in: "multi-line literal string") }
                out.append(b)
                index += 1
            }
        }
    }

    // MARK: Numbers and dates

    private mutating func parseNumberOrDate() throws(TOMLError) -> TOMLValue.Content {
        if isDigit(peek()), isDigit(peek(1)) {
            if isDigit(peek(2)), isDigit(peek(3)), peek(4) == minus { return try parseDateTime() }
            if peek(2) == colon { return .localTime(try parseTime()) }
        }
        let start = index
        while index < count, isNumberTokenByte(bytes[index]) { index += 1 }
        return try parseNumber(start: start, end: index)
    }

    /// Scans digits where each `_` sits between two digits (TOML 1.0.0 §Integer). Returns the end, or nil.
    private func scanDigits(from start: Int, to end: Int, _ isValid: (UInt8) -> Bool) -> Int? {
        guard start < end, isValid(bytes[start]) else { return nil }
        var i = start + 1
        while i < end {
            let b = bytes[i]
            if isValid(b) {
                i += 1
            } else if b == underscore {
                guard i + 1 < end, isValid(bytes[i + 1]) else { return nil }
                i += 2
            } else {
                break
            }
        }
        return i
    }

    /// TOML 1.0.0 §Integer and §Float over the token `start..<end`.
    private mutating func parseNumber(start: Int, end: Int) throws(TOMLError) -> TOMLValue.Content {
        let startPosition = position(at: start)
        func invalid(_ why: String) -> TOMLError {
            let token = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            return TOMLError(.syntax, "invalid number '\(token)': \(why)", file: file, position: startPosition)
        }
        var i = start
        let hasSign = bytes[i] == plus || bytes[i] == minus
        let negative = bytes[i] == minus
        if hasSign { i += 1 }
        let rest = end - i
        if rest == 3 {
            if bytes[i] == 0x69, bytes[i + 1] == 0x6E, bytes[i + 2] == 0x66 {  // inf
                return .float(negative ? -.infinity : .infinity)
            }
            if bytes[i] == 0x6E, bytes[i + 1] == 0x61, bytes[i + 2] == 0x6E {  // nan
                return .float(negative ? -.nan : .nan)
            }
        }
        if rest >= 2, bytes[i] == 0x30, bytes[i + 1] == 0x78 || bytes[i + 1] == 0x6F || bytes[i + 1] == 0x62 {
            guard !hasSign else { throw invalid("a sign is not allowed on hexadecimal, octal or binary integers") }
            let radix: UInt64
            let valid: (UInt8) -> Bool
            switch bytes[i + 1] {
            case 0x78:
                radix = 16
                valid = isHexDigit
            case 0x6F:
                radix = 8
                valid = { $0 &- 0x30 < 8 }
            default:
                radix = 2
                valid = { $0 == 0x30 || $0 == 0x31 }
            }
            guard let digitsEnd = scanDigits(from: i + 2, to: end, valid), digitsEnd == end else {
                throw invalid("bad digits or underscores")
            }
            var value: UInt64 = 0
            for j in (i + 2)..<end where bytes[j] != underscore {
                let (m, o1) = value.multipliedReportingOverflow(by: radix)
                let (s, o2) = m.addingReportingOverflow(UInt64(hexValue(bytes[j])))
                guard !o1, !o2, s <= UInt64(Int64.max) else {
                    throw TOMLError(.invalidValue, "integer out of the 64-bit range", file: file, position: startPosition)
                }
                value = s
            }
            return .integer(Int64(value))
        }
        guard let intEnd = scanDigits(from: i, to: end, isDigit) else { throw invalid("expected digits") }
        if bytes[i] == 0x30, intEnd - i > 1 { throw invalid("leading zeros are not allowed") }
        var j = intEnd
        var isFloat = false
        if j < end, bytes[j] == dot {
            guard let fractionEnd = scanDigits(from: j + 1, to: end, isDigit) else {
                throw invalid("a decimal point must be followed by digits")
            }
            j = fractionEnd
            isFloat = true
        }
        if j < end, bytes[j] | 0x20 == 0x65 {  // e, E
            j += 1
            if j < end, bytes[j] == plus || bytes[j] == minus { j += 1 }
            guard let exponentEnd = scanDigits(from: j, to: end, isDigit) else { throw invalid("bad exponent") }
            j = exponentEnd
            isFloat = true
        }
        guard j == end else { throw invalid("unexpected '\(Character(Unicode.Scalar(bytes[j])))'") }
        if isFloat {
            var text = ""
            text.reserveCapacity(end - start)
            for k in start..<end where bytes[k] != underscore { text.unicodeScalars.append(Unicode.Scalar(bytes[k])) }
            guard let value = Double(text) else { throw invalid("not a float") }
            return .float(value)
        }
        var magnitude: UInt64 = 0
        for k in i..<end where bytes[k] != underscore {
            let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(bytes[k] - 0x30))
            guard !o1, !o2 else {
                throw TOMLError(.invalidValue, "integer out of the 64-bit range", file: file, position: startPosition)
            }
            magnitude = s
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else {
                throw TOMLError(.invalidValue, "integer out of the 64-bit range", file: file, position: startPosition)
            }
            return .integer(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude))
        }
        guard magnitude <= UInt64(Int64.max) else {
            throw TOMLError(.invalidValue, "integer out of the 64-bit range", file: file, position: startPosition)
        }
        return .integer(Int64(magnitude))
    }

    private mutating func fixedDigits(_ n: Int, _ what: String) throws(TOMLError) -> Int {
        var value = 0
        for _ in 0..<n {
            guard index < count, isDigit(bytes[index]) else {
                throw error(.syntax, "expected \(n) digits for the \(what), found \(found())")
            }
            value = value * 10 + Int(bytes[index] - 0x30)
            index += 1
        }
        return value
    }

    private mutating func expectByte(_ b: UInt8, _ what: String) throws(TOMLError) {
        guard peek() == b, index < count else { throw error(.syntax, "expected \(what), found \(found())") }
        index += 1
    }

    /// TOML 1.0.0 §Offset Date-Time, §Local Date-Time, §Local Date (RFC 3339 with a space allowed for `T`).
    private mutating func parseDateTime() throws(TOMLError) -> TOMLValue.Content {
        let start = here()
        let year = try fixedDigits(4, "year")
        try expectByte(minus, "'-' after the year")
        let month = try fixedDigits(2, "month")
        try expectByte(minus, "'-' after the month")
        let day = try fixedDigits(2, "day")
        guard (1...12).contains(month) else { throw error(.invalidValue, "month \(month) is not 01-12", at: start) }
        guard day >= 1, day <= TOMLLocalDate.daysIn(month: month, year: year) else {
            throw error(.invalidValue, "day \(day) does not exist in \(pad(year, 4))-\(pad(month, 2))", at: start)
        }
        let date = TOMLLocalDate(year: year, month: month, day: day)
        let b = peek()
        let timeFollows = b == 0x54 || b == 0x74 || (b == space && isDigit(peek(1)) && isDigit(peek(2)) && peek(3) == colon)
        guard timeFollows, index < count else { return .localDate(date) }
        index += 1
        let time = try parseTime()
        switch peek() {
        case 0x5A, 0x7A:  // Z, z
            index += 1
            return .offsetDateTime(TOMLOffsetDateTime(date: date, time: time, offsetMinutes: 0))
        case plus, minus:
            let sign = peek() == minus ? -1 : 1
            index += 1
            let hours = try fixedDigits(2, "offset hours")
            try expectByte(colon, "':' in the UTC offset")
            let minutes = try fixedDigits(2, "offset minutes")
            guard hours <= 23, minutes <= 59 else { throw error(.invalidValue, "UTC offset out of range", at: start) }
            return .offsetDateTime(TOMLOffsetDateTime(date: date, time: time, offsetMinutes: sign * (hours * 60 + minutes)))
        default:
            return .localDateTime(TOMLLocalDateTime(date: date, time: time))
        }
    }

    /// `HH:MM:SS[.fraction]` (TOML 1.0.0 §Local Time: seconds are required; RFC 3339 allows second 60).
    private mutating func parseTime() throws(TOMLError) -> TOMLLocalTime {
        let start = here()
        let hour = try fixedDigits(2, "hour")
        try expectByte(colon, "':' after the hour")
        let minute = try fixedDigits(2, "minute")
        try expectByte(colon, "':' after the minute (seconds are required)")
        let second = try fixedDigits(2, "second")
        guard hour <= 23, minute <= 59, second <= 60 else {
            throw error(.invalidValue, "time \(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)) is out of range", at: start)
        }
        var nanosecond = 0
        var digits = 0
        if peek() == dot {
            index += 1
            guard isDigit(peek()), index < count else {
                throw error(.syntax, "a decimal point in a time must be followed by digits")
            }
            while index < count, isDigit(bytes[index]) {
                if digits < 9 {
                    nanosecond = nanosecond * 10 + Int(bytes[index] - 0x30)
                    digits += 1
                }
                index += 1
            }
            for _ in digits..<9 { nanosecond *= 10 }
        }
        return TOMLLocalTime(hour: hour, minute: minute, second: second, nanosecond: nanosecond, fractionDigits: digits)
    }
}

extension String {
    /// `'x'` → `x`, for building escape messages.
    fileprivate var trimmingQuotes: String {
        hasPrefix("'") && hasSuffix("'") && count >= 3 ? String(dropFirst().dropLast()) : self
    }
}
