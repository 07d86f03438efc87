import Foundation

/// The Swift examples of the repository's documents, and the test sources that must hold them: an
/// example a reader copies is compiled and run by a test, and a test fails when the two part.
enum DocumentedExamples {
    /// The repository's root.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The ```` ```swift ```` blocks of the section of `document` (a path from the root) that starts
    /// with the line `heading`, up to the next heading of the same level.
    static func swiftBlocks(in document: String, section heading: String) throws -> [String] {
        let text = try String(contentsOf: root.appendingPathComponent(document), encoding: .utf8)
        guard let start = text.range(of: heading + "\n") else { throw Missing(description: "\(document) has no line \(heading)") }
        let level = String(heading.prefix { $0 == "#" })
        let end = text.range(of: "\n" + level + " ", range: start.upperBound..<text.endIndex)?.lowerBound ?? text.endIndex
        var blocks: [String] = []
        var rest = text[start.upperBound..<end]
        while let open = rest.range(of: "```swift\n"), let close = rest.range(of: "\n```", range: open.upperBound..<rest.endIndex) {
            blocks.append(String(rest[open.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        return blocks
    }

    /// The paragraphs of `blocks` (split at blank lines) that the source file `source` (a
    /// `#filePath`) does not hold line for line, indentation aside: a type of an example may sit at
    /// file scope in the test and its routes inside a function.
    static func paragraphsMissing(from source: String, _ blocks: [String]) throws -> [String] {
        let lines = Self.lines(try String(contentsOf: URL(fileURLWithPath: source), encoding: .utf8))
        return blocks.flatMap { $0.components(separatedBy: "\n\n") }.filter { paragraph in
            let wanted = Self.lines(paragraph)
            return !lines.indices.contains { start in
                start + wanted.count <= lines.count && Array(lines[start..<start + wanted.count]) == wanted
            }
        }
    }

    /// Lines without their indentation, blank lines dropped.
    private static func lines(_ text: String) -> [Substring] {
        text.split(separator: "\n").map { $0.drop { $0 == " " } }.filter { !$0.isEmpty }
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String
    }
}
