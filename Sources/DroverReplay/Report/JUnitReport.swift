import Foundation

/// The `--junit FILE` report: one `<testsuite>` with a `<testcase>` per fixture, in the JUnit XML
/// schema CI systems read (Jenkins' `junit` plugin, GitLab, GitHub test reporters).
package enum JUnitReport {
    /// The XML document for `results`.
    /// - Parameters:
    ///   - suiteName: the `<testsuite name>`.
    ///   - timestamp: the `<testsuite timestamp>` (ISO 8601), when known.
    package static func xml(results: [FixtureResult], suiteName: String = "drover replay", timestamp: Date? = nil) -> String {
        let summary = ReplaySummary(results: results)
        let total = results.reduce(Duration.zero) { $0 + $1.duration }
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\(attribute(suiteName)) tests=\"\(results.count)\" failures=\"\(summary.failed)\""
        xml += " errors=\"0\" skipped=\"\(summary.skipped)\" time=\"\(seconds(total))\">\n"
        xml += "  <testsuite name=\(attribute(suiteName)) tests=\"\(results.count)\" failures=\"\(summary.failed)\""
        xml += " errors=\"0\" skipped=\"\(summary.skipped)\" time=\"\(seconds(total))\""
        if let timestamp {
            let formatter = ISO8601DateFormatter()
            xml += " timestamp=\(attribute(formatter.string(from: timestamp)))"
        }
        xml += ">\n"
        for result in results {
            xml += "    <testcase classname=\(attribute(className(result.file))) name=\(attribute(result.name ?? fileName(result.file)))"
            xml += " file=\(attribute(result.file)) time=\"\(seconds(result.duration))\""
            switch result.outcome {
            case .passed:
                xml += "/>\n"
            case .skipped:
                xml += ">\n      <skipped/>\n    </testcase>\n"
            case .failed:
                let messages = result.failureMessages
                xml += ">\n      <failure message=\(attribute(messages.first ?? "failed")) type=\"FixtureFailure\">"
                xml += text(result.renderedFailure())
                xml += "</failure>\n"
                if !result.logLines.isEmpty {
                    xml += "      <system-out>" + text(result.logLines.joined(separator: "\n")) + "</system-out>\n"
                }
                xml += "    </testcase>\n"
            }
        }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }

    /// Writes the report for `results` to `path`.
    /// - Throws: ``ReplayError`` `.unwritableFile` naming the path.
    package static func write(results: [FixtureResult], to path: String, timestamp: Date? = nil) throws(ReplayError) {
        do {
            try Data(xml(results: results, timestamp: timestamp).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ReplayError(code: .unwritableFile, message: "--junit \(path): cannot write the report: \(error.localizedDescription)")
        }
    }

    /// The `classname` of a fixture: its folder's name (`Fixtures/shopify/dup.json` → `shopify`).
    package static func className(_ file: String) -> String {
        let folder = (file as NSString).deletingLastPathComponent
        let name = (folder as NSString).lastPathComponent
        return name.isEmpty || name == "." ? "fixtures" : name
    }

    private static func fileName(_ file: String) -> String {
        (file as NSString).lastPathComponent
    }

    private static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.3f", Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// A quoted attribute value; line breaks and tabs as character references so parsers keep them
    /// (XML 1.0 §3.3.3 attribute-value normalization).
    private static func attribute(_ value: String) -> String {
        "\"" + escape(value, inAttribute: true) + "\""
    }

    private static func text(_ value: String) -> String {
        escape(value, inAttribute: false)
    }

    /// Escapes markup characters and replaces characters XML 1.0 forbids (XML 1.0 §2.2 `Char`:
    /// controls other than tab, LF and CR; U+FFFE, U+FFFF) with U+FFFD.
    private static func escape(_ value: String, inAttribute: Bool) -> String {
        var result = ""
        result.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += inAttribute ? "&quot;" : "\""
            case "'": result += inAttribute ? "&apos;" : "'"
            case "\n": result += inAttribute ? "&#10;" : "\n"
            case "\r": result += "&#13;"
            case "\t": result += inAttribute ? "&#9;" : "\t"
            case "\u{0}"..."\u{1F}", "\u{FFFE}", "\u{FFFF}": result += "\u{FFFD}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
