import Drover
import Foundation
import Testing

@testable import DroverReplay

#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite("Replay report")
struct FixtureReportTests {
    static let results = [
        FixtureResult(file: "Fixtures/shopify/ok.json", name: "valid webhook", duration: .milliseconds(12)),
        FixtureResult(
            file: "Fixtures/shopify/dup.json",
            name: "duplicate <webhook> & \"retry\"",
            failures: [CheckFailure(path: "steps[2].expect.status", message: "expected 200, got 401", expected: "200", actual: "401")],
            duration: .milliseconds(30),
            logLines: ["verifying hmac", "error: bad signature \u{1}"]
        ),
        FixtureResult(
            file: "Fixtures/broken.json",
            error: ReplayError.invalidFixture([
                FixtureIssue(file: "Fixtures/broken.json", path: "steps[0].advance", message: "expected a string, got number")
            ])
        ),
    ]

    @Test func linesAndClosingLine() {
        #expect(
            Self.results.map(\.line) == [
                "PASS Fixtures/shopify/ok.json (valid webhook)",
                #"FAIL Fixtures/shopify/dup.json (duplicate <webhook> & "retry")"#,
                "FAIL Fixtures/broken.json",
            ]
        )
        let summary = ReplaySummary(results: Self.results)
        #expect(summary.line == "1 passed, 2 failed")
        #expect(summary.exitStatus == 1)
        let skipped = ReplaySummary(results: [FixtureResult(file: "a.json", name: "a", skipped: true), Self.results[0]])
        #expect(skipped.line == "1 passed, 0 failed, 1 skipped")
        #expect(skipped.exitStatus == 0)
        #expect(ReplaySummary(results: []).line == "0 passed, 0 failed")
    }

    @Test func failureRenderingShowsFilePathExpectedActualAndLogs() {
        #expect(
            Self.results[1].renderedFailure() == """
                  Fixtures/shopify/dup.json: steps[2].expect.status: expected 200, got 401
                      expected: 200
                      actual:   401
                  worker log:
                    | verifying hmac
                    | error: bad signature \u{1}

                """
        )
        #expect(Self.results[2].failureMessages == ["Fixtures/broken.json: steps[0].advance: expected a string, got number"])
        #expect(Self.results[0].renderedFailure() == "")
    }

    /// Collects testcase attributes and failure messages while parsing.
    final class Collector: NSObject, XMLParserDelegate {
        var suites: [[String: String]] = []
        var cases: [[String: String]] = []
        var failures: [[String: String]] = []
        var failureText = ""
        private var inFailure = false

        func parser(
            _ parser: XMLParser,
            didStartElement elementName: String,
            namespaceURI: String?,
            qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            switch elementName {
            case "testsuite": suites.append(attributes)
            case "testcase": cases.append(attributes)
            case "failure":
                failures.append(attributes)
                inFailure = true
            default: break
            }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            if elementName == "failure" { inFailure = false }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inFailure { failureText += string }
        }
    }

    @Test func junitIsWellFormedAndCarriesTheCounts() throws {
        let xml = JUnitReport.xml(results: Self.results, timestamp: Date(timeIntervalSince1970: 0))
        let parser = XMLParser(data: Data(xml.utf8))
        let collector = Collector()
        parser.delegate = collector
        #expect(parser.parse(), "XML parse error: \(String(describing: parser.parserError))\n\(xml)")
        #expect(collector.suites.count == 1)
        let suite = try #require(collector.suites.first)
        #expect(suite["tests"] == "3")
        #expect(suite["failures"] == "2")
        #expect(suite["time"] == "0.042")
        #expect(collector.cases.map { $0["classname"] } == ["shopify", "shopify", "Fixtures"])
        #expect(collector.cases.map { $0["name"] } == ["valid webhook", #"duplicate <webhook> & "retry""#, "broken.json"])
        #expect(collector.cases.map { $0["time"] } == ["0.012", "0.030", "0.000"])
        #expect(
            collector.failures.map { $0["message"] } == [
                "Fixtures/shopify/dup.json: steps[2].expect.status: expected 200, got 401",
                "Fixtures/broken.json: steps[0].advance: expected a string, got number",
            ]
        )
        #expect(collector.failureText.contains("| verifying hmac"))
    }

    @Test func junitIsWrittenToAFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("junit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("report.xml").path
        try JUnitReport.write(results: Self.results, to: path)
        #expect(XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: path))).parse())
        #expect(throws: ReplayError.self) {
            try JUnitReport.write(results: Self.results, to: directory.appendingPathComponent("no/such/dir/r.xml").path)
        }
    }
}
