import DroverTestSupport
import Foundation
import Testing

@testable import DroverConfig

/// The toml-test corpus (TOML 1.0.0 subset), vendored in `Vendor/toml-test` (see its README).
enum TOMLTestCorpus {
    /// `<package root>/Vendor/toml-test/tests`, found from this file's path.
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // DroverConfigTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("Vendor/toml-test/tests")

    /// The corpus is missing or unreadable: a failure, never a skip.
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    /// Every `.toml` path listed in `files-toml-1.0.0`, relative to ``directory``.
    /// - Throws: ``Missing`` when the list cannot be read.
    static func cases() throws -> [String] {
        let listURL = directory.appendingPathComponent("files-toml-1.0.0")
        let list: String
        do {
            list = try String(contentsOf: listURL, encoding: .utf8)
        } catch {
            throw Missing(description: "the toml-test corpus is missing: cannot read \(listURL.path) (\(error))")
        }
        return list.split(whereSeparator: \.isNewline).map(String.init).filter { $0.hasSuffix(".toml") }
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(path)))
    }

    static func expectedJSON(_ path: String) throws -> Any {
        let url = directory.appendingPathComponent(String(path.dropLast(5)) + ".json")
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url), options: [.fragmentsAllowed])
    }
}

/// Compares tagged JSON the way toml-test's own runner does.
enum TaggedJSONComparison {
    /// Nil when equal, else the JSON path of the first difference.
    static func difference(_ expected: Any, _ actual: Any, path: String = "$") -> String? {
        if let e = expected as? [String: Any], isScalar(e) {
            guard let a = actual as? [String: Any], isScalar(a) else { return "\(path): expected a scalar" }
            let (et, ev) = (e["type"] as! String, e["value"] as! String)
            let (at, av) = (a["type"] as! String, a["value"] as! String)
            guard et == at else { return "\(path): type \(at), expected \(et)" }
            let same: Bool
            switch et {
            case "float":
                let (x, y) = (Double(ev) ?? .nan, Double(av) ?? .signalingNaN)
                same = (x.isNaN && y.isNaN && Double(av) != nil) || x == y
            case "datetime", "datetime-local", "date-local", "time-local":
                same = normalizedDateTime(ev) == normalizedDateTime(av)
            case "bool":
                same = ev.lowercased() == av.lowercased()
            default:
                same = ev == av
            }
            return same ? nil : "\(path): \(av), expected \(ev)"
        }
        if let e = expected as? [String: Any] {
            guard let a = actual as? [String: Any], !isScalar(a) else { return "\(path): expected a table" }
            guard Set(e.keys) == Set(a.keys) else { return "\(path): keys \(a.keys.sorted()), expected \(e.keys.sorted())" }
            for key in e.keys.sorted() {
                if let d = difference(e[key]!, a[key]!, path: "\(path).\(key)") { return d }
            }
            return nil
        }
        if let e = expected as? [Any] {
            guard let a = actual as? [Any], a.count == e.count else { return "\(path): expected \(e.count) elements" }
            for (i, (x, y)) in zip(e, a).enumerated() {
                if let d = difference(x, y, path: "\(path)[\(i)]") { return d }
            }
            return nil
        }
        return "\(path): unexpected JSON kind"
    }

    private static func isScalar(_ object: [String: Any]) -> Bool {
        object.count == 2 && object["type"] is String && object["value"] is String
    }

    /// Maps `t`/space to `T`, `z`/`+00:00` to `Z`, and drops trailing zeros of fractional seconds.
    static func normalizedDateTime(_ text: String) -> String {
        var s = text.uppercased().replacingOccurrences(of: " ", with: "T")
        s = s.replacingOccurrences(of: "+00:00", with: "Z").replacingOccurrences(of: "-00:00", with: "Z")
        guard let dot = s.firstIndex(of: ".") else { return s }
        let fractionEnd = s[dot...].dropFirst().firstIndex { !$0.isNumber } ?? s.endIndex
        var fraction = String(s[s.index(after: dot)..<fractionEnd])
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return String(s[..<dot]) + (fraction.isEmpty ? "" : "." + fraction) + String(s[fractionEnd...])
    }
}

@Suite("toml-test conformance (TOML 1.0.0)")
struct TOMLConformanceTests {
    @Test("every valid case decodes to its JSON and every invalid case is rejected")
    func wholeCorpus() throws {
        let cases = try TOMLTestCorpus.cases()
        var valid = 0
        var invalid = 0
        var failures: [String] = []
        for path in cases {
            let bytes = try TOMLTestCorpus.bytes(path)
            if path.hasPrefix("valid/") {
                valid += 1
                do {
                    let table = try TOMLParser.parse(bytes, fileName: path)
                    let json = TOMLTaggedJSON.encode(table)
                    let actual = try JSONSerialization.jsonObject(with: Data(json.utf8))
                    if let d = TaggedJSONComparison.difference(try TOMLTestCorpus.expectedJSON(path), actual) {
                        failures.append("\(path): \(d)")
                    }
                } catch {
                    failures.append("\(path): rejected: \(error)")
                }
            } else {
                invalid += 1
                do {
                    _ = try TOMLParser.parse(bytes, fileName: path)
                    failures.append("\(path): accepted, must be rejected")
                } catch {
                    // Every error carries a position inside the document.
                    if error.line < 1 || error.column < 1 { failures.append("\(path): bad position \(error)") }
                }
            }
        }
        print("toml-test: ran \(valid + invalid) cases (\(valid) valid, \(invalid) invalid), \(failures.count) failed")
        #expect(valid == 210)
        #expect(invalid == 499)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("the comparison rejects a wrong value, a wrong type and a missing key")
    func comparisonCanFail() throws {
        let expected: Any = ["a": ["type": "integer", "value": "1"]]
        #expect(TaggedJSONComparison.difference(expected, ["a": ["type": "integer", "value": "2"]]) != nil)
        #expect(TaggedJSONComparison.difference(expected, ["a": ["type": "float", "value": "1"]]) != nil)
        #expect(TaggedJSONComparison.difference(expected, [String: Any]()) != nil)
        #expect(TaggedJSONComparison.difference(["f": ["type": "float", "value": "1e2"]], ["f": ["type": "float", "value": "100.0"]]) == nil)
        #expect(
            TaggedJSONComparison.difference(
                ["d": ["type": "datetime", "value": "1979-05-27T07:32:00Z"]],
                ["d": ["type": "datetime", "value": "1979-05-27 07:32:00.000+00:00"]]
            ) == nil
        )
    }

    /// The built `toml-decoder` sits next to the test bundle in the build directory.
    static func decoderBinary() -> URL? {
        var candidates: [URL] = []
        if let first = CommandLine.arguments.first {
            var url = URL(fileURLWithPath: first)
            // Walk up out of `X.xctest` (and its Contents/MacOS on Darwin).
            while url.pathComponents.count > 1, url.lastPathComponent != "debug", url.lastPathComponent != "release" {
                url.deleteLastPathComponent()
            }
            candidates.append(url.appendingPathComponent("toml-decoder"))
        }
        candidates.append(
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug/toml-decoder")
        )
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    static func run(_ binary: URL, input: [UInt8]) throws -> ChildProcess.Completed {
        try ChildProcess.run(binary.path, input: input)
    }

    @Test("the toml-decoder executable follows toml-test's decoder interface")
    func decoderExecutable() throws {
        let binary = try #require(Self.decoderBinary(), "toml-decoder not found beside the test bundle")
        for path in ["valid/spec-1.0.0/array-of-tables-1.toml", "valid/string/escapes.toml", "valid/newline-crlf.toml"] {
            let result = try Self.run(binary, input: try TOMLTestCorpus.bytes(path))
            #expect(result.termination == .exited(0), "\(path)")
            let actual = try JSONSerialization.jsonObject(with: Data(result.output))
            #expect(TaggedJSONComparison.difference(try TOMLTestCorpus.expectedJSON(path), actual) == nil, "\(path)")
        }
        let bad = try Self.run(binary, input: Array("a = 1\nb = [1,,2]\n".utf8))
        #expect(bad.termination == .exited(1))
        #expect(bad.output.isEmpty)
        #expect(bad.errorText.hasPrefix("<stdin>:2:8: "))
    }
}
