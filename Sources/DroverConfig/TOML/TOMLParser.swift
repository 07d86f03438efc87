/// Parses TOML 1.0.0 documents (https://toml.io/en/v1.0.0) from bytes.
///
/// The parser works on UTF-8 bytes, never on `Character`s: it validates the whole input as UTF-8 first
/// (TOML 1.0.0 §Spec), skips one leading byte order mark, and reports every error with its line and column.
/// Nesting of arrays, inline tables and tables is limited to ``maximumDepth`` so that hostile input
/// cannot exhaust the stack.
package enum TOMLParser {
    /// The deepest nesting accepted, counting tables, arrays and inline tables.
    package static let maximumDepth = 128

    /// Parses a document.
    /// - Parameters:
    ///   - bytes: the document, as UTF-8 bytes.
    ///   - fileName: the name used in error descriptions (`<stdin>` for standard input).
    /// - Returns: the root table.
    /// - Throws: ``TOMLError`` naming file, line and column of the first problem.
    package static func parse(_ bytes: [UInt8], fileName: String = "<input>") throws(TOMLError) -> TOMLTable {
        let result: Result<TOMLTable, TOMLError> = bytes.withUnsafeBufferPointer { buffer in
            var parser = TOMLByteParser(bytes: buffer, file: fileName)
            do throws(TOMLError) {
                return .success(try parser.parseDocument())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Parses a document held in a string.
    /// - Parameters:
    ///   - text: the document.
    ///   - fileName: the name used in error descriptions.
    /// - Returns: the root table.
    /// - Throws: ``TOMLError`` naming file, line and column of the first problem.
    package static func parse(_ text: String, fileName: String = "<input>") throws(TOMLError) -> TOMLTable {
        try parse(Array(text.utf8), fileName: fileName)
    }
}
