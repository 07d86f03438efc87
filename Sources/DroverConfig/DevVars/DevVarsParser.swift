/// The dotenv grammar of ``DevVars``, over bytes.
struct DevVarsParser {
    struct Entry {
        let name: String
        let value: String
        let position: TOMLPosition
    }

    private let bytes: [UInt8]
    private let file: String
    private var index = 0
    private var line = 1
    private var lineStart = 0

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    private func position(at i: Int) -> TOMLPosition {
        var column = 1
        var j = lineStart
        while j < i && j < bytes.count {
            if bytes[j] & 0xC0 != 0x80 { column += 1 }
            j += 1
        }
        return TOMLPosition(line: line, column: column)
    }

    private func fail(_ message: String, at i: Int? = nil) -> ConfigError {
        ConfigError(.invalidDevVars, message, file: file, position: position(at: i ?? index))
    }

    private var current: UInt8 { index < bytes.count ? bytes[index] : 0 }

    private mutating func skipBlanks() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
    }

    private mutating func skipToLineEnd() {
        while index < bytes.count, bytes[index] != 0x0A { index += 1 }
    }

    private mutating func newline() {
        index += 1
        line += 1
        lineStart = index
    }

    private static func isNameByte(_ b: UInt8, first: Bool) -> Bool {
        (b | 0x20) &- 0x61 < 26 || b == 0x5F || (!first && b &- 0x30 < 10)
    }

    private func text(_ range: Range<Int>) throws(ConfigError) -> String {
        guard let s = String(validating: bytes[range], as: UTF8.self) else { throw fail("invalid UTF-8", at: range.lowerBound) }
        return s
    }

    mutating func parse() throws(ConfigError) -> [Entry] {
        var entries: [Entry] = []
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            index = 3
            lineStart = 3
        }
        while index < bytes.count {
            skipBlanks()
            switch current {
            case 0x0A:
                newline()
                continue
            case 0x0D where index + 1 >= bytes.count || bytes[index + 1] == 0x0A:
                index += 1
                continue
            case 0x23:  // '#'
                skipToLineEnd()
                continue
            case 0 where index >= bytes.count:
                return entries
            default:
                break
            }
            if bytes[index...].starts(with: Array("export".utf8)), index + 6 < bytes.count,
                bytes[index + 6] == 0x20 || bytes[index + 6] == 0x09
            {
                index += 6
                skipBlanks()
            }
            let nameStart = index
            guard Self.isNameByte(current, first: true) else {
                throw fail(
                    current &- 0x30 < 10 ? "a variable name must not start with a digit" : "expected a variable name ([A-Za-z_][A-Za-z0-9_]*)"
                )
            }
            while index < bytes.count, Self.isNameByte(bytes[index], first: false) { index += 1 }
            let name = try text(nameStart..<index)
            let namePosition = position(at: nameStart)
            skipBlanks()
            guard current == 0x3D else { throw fail("expected '=' after \(name)") }
            index += 1
            skipBlanks()
            let value: String
            switch current {
            case 0x22: value = try quoted(double: true)
            case 0x27: value = try quoted(double: false)
            default: value = try unquoted()
            }
            entries.append(Entry(name: name, value: value, position: namePosition))
        }
        return entries
    }

    /// Up to the end of the line or a `#` after whitespace; trailing whitespace trimmed.
    private mutating func unquoted() throws(ConfigError) -> String {
        let start = index
        var end = index
        while index < bytes.count, bytes[index] != 0x0A {
            let b = bytes[index]
            if b == 0x23, index == start || bytes[index - 1] == 0x20 || bytes[index - 1] == 0x09 {
                skipToLineEnd()
                break
            }
            index += 1
            if b != 0x20, b != 0x09, b != 0x0D { end = index }
        }
        return try text(start..<end)
    }

    /// A quoted value, which may span lines; after the closing quote only blanks and a comment may follow.
    private mutating func quoted(double: Bool) throws(ConfigError) -> String {
        let quote = bytes[index]
        let openLine = line
        let openPosition = position(at: index)
        index += 1
        var out: [UInt8] = []
        while true {
            guard index < bytes.count else {
                throw ConfigError(
                    .invalidDevVars,
                    "unterminated \(double ? "double" : "single")-quoted value (opened on line \(openLine))",
                    file: file,
                    position: openPosition
                )
            }
            let b = bytes[index]
            if b == quote {
                index += 1
                break
            }
            if b == 0x0A {
                out.append(b)
                newline()
                continue
            }
            if double, b == 0x5C, index + 1 < bytes.count {
                let next = bytes[index + 1]
                switch next {
                case 0x6E: out.append(0x0A)  // \n
                case 0x72: out.append(0x0D)  // \r
                case 0x74: out.append(0x09)  // \t
                case 0x22: out.append(0x22)  // \"
                case 0x5C: out.append(0x5C)  // \\
                default: out.append(contentsOf: [b, next])  // dotenv keeps unknown escapes
                }
                index += 2
                if next == 0x0A {
                    line += 1
                    lineStart = index
                }
                continue
            }
            out.append(b)
            index += 1
        }
        skipBlanks()
        if current == 0x23 { skipToLineEnd() }
        if current == 0x0D { index += 1 }
        guard index >= bytes.count || current == 0x0A else {
            throw fail("unexpected text after the closing quote")
        }
        guard let value = String(validating: out, as: UTF8.self) else {
            throw ConfigError(.invalidDevVars, "invalid UTF-8", file: file, position: openPosition)
        }
        return value
    }
}
