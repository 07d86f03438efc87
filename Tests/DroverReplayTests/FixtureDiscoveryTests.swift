import Foundation
import Testing

@testable import DroverReplay

@Suite("Fixture discovery")
struct FixtureDiscoveryTests {
    @Test func findsEveryJSONUnderFoldersSorted() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("discovery-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        for file in ["b/2.json", "b/1.json", "a.json", "a/z/deep.json", "notes.txt", ".hidden/x.json", "b/.skip.json"] {
            let path = (root as NSString).appendingPathComponent(file)
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data("{}".utf8).write(to: URL(fileURLWithPath: path))
        }
        let explicit = (root as NSString).appendingPathComponent("notes.txt")
        let found = try FixtureDiscovery.find([root, (root as NSString).appendingPathComponent("b"), explicit])
        #expect(found.map { String($0.dropFirst(root.count + 1)) } == ["a.json", "a/z/deep.json", "b/1.json", "b/2.json", "notes.txt"])
        #expect(throws: ReplayError.self) { try FixtureDiscovery.find([(root as NSString).appendingPathComponent("missing")]) }
    }

    @Test func filterMatchesNameOrPath() {
        #expect(FixtureDiscovery.matches(path: "Fixtures/shopify/dup.json", name: "duplicate", filter: nil))
        #expect(FixtureDiscovery.matches(path: "Fixtures/shopify/dup.json", name: "duplicate", filter: "shopify"))
        #expect(FixtureDiscovery.matches(path: "Fixtures/shopify/dup.json", name: "duplicate webhook", filter: "webhook"))
        #expect(!FixtureDiscovery.matches(path: "Fixtures/shopify/dup.json", name: "duplicate", filter: "stripe"))
        #expect(!FixtureDiscovery.matches(path: "Fixtures/a.json", name: nil, filter: "b"))
    }
}
