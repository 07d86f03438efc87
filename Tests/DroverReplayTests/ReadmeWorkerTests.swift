import Foundation
import Testing

/// README's "Writing your own worker" is `Examples/hello-package`, file for file: each block that
/// names a file is that file, verbatim. (`scripts/test` builds the package and runs its tests, so
/// what README shows compiles and works.)
@Suite struct ReadmeWorkerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(
        "each file of the example package stands in README as written",
        arguments: [
            ("swift", "// ", "Sources/my-drover/Hello.swift"),
            ("swift", "// ", "Sources/my-drover/main.swift"),
            ("swift", "// ", "Tests/HelloTests/HelloTests.swift"),
            ("toml", "# ", "wrangler-like.toml"),
        ]
    )
    func readmeShowsTheFile(language: String, comment: String, path: String) throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let file = try String(contentsOf: Self.root.appendingPathComponent("Examples/hello-package/" + path), encoding: .utf8)
        let name = (path as NSString).lastPathComponent
        let heading = "```\(language)\n\(comment)\(path == name ? name : path)\n"
        let start = try #require(readme.range(of: heading), "README has no block for \(path)")
        let end = try #require(readme.range(of: "```", range: start.upperBound..<readme.endIndex))
        #expect(String(readme[start.upperBound..<end.lowerBound]) == file)
    }

    @Test("README's Package.swift block is the example's")
    func readmeShowsThePackage() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let file = try String(contentsOf: Self.root.appendingPathComponent("Examples/hello-package/Package.swift"), encoding: .utf8)
        #expect(readme.contains("`path:`)\n" + file + "```"))
    }
}
