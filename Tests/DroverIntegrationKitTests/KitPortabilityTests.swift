import Foundation
import Testing

/// The kit is written against the handler API alone, so that a worker built on it ports to an
/// edge platform: its sources import `Drover` and the standard library's companions, never
/// another Drover module (the runtime, the stores) or a C library.
@Suite("Integration kit portability")
struct KitPortabilityTests {
    static let allowedImports: Set<String> = ["Drover", "Foundation", "Synchronization"]

    @Test("the kit's sources import Drover and the standard library's companions, nothing else")
    func importsOnlyDrover() throws {
        let sources = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/DroverIntegrationKit")
        let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }
            .filter { $0.pathExtension == "swift" }
        #expect(!files.isEmpty)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ")
                // `import X`, `@testable import X`, `package import X`, `import struct X.Y`…
                guard let index = words.firstIndex(of: "import"), index + 1 < words.count,
                    words[..<index].allSatisfy({ $0.hasPrefix("@") || ["public", "package", "internal"].contains($0) })
                else { continue }
                let kinds: Set<Substring> = ["struct", "class", "enum", "protocol", "func", "var", "typealias"]
                let target = words[(index + 1)...].first { !kinds.contains($0) }
                let module = target.map { String($0.split(separator: ".")[0]) } ?? ""
                #expect(Self.allowedImports.contains(module), "\(file.lastPathComponent) imports \(module)")
            }
        }
    }
}
