import Foundation
import Testing

@testable import DroverConfig

@Suite("secrets")
struct SecretStoreTests {
    @Test("put, get, list and delete")
    func roundTrip() throws {
        let dir = try TemporaryDirectory()
        let store = SecretStore(stateDirectory: dir.path + "/state")
        #expect(try store.list().isEmpty)
        try store.put("STRIPE_API_KEY", Secret("sk_test_1"))
        try store.put("A_TOKEN", Secret("t"))
        try store.put("STRIPE_API_KEY", Secret("sk_test_2"))
        #expect(try store.list() == ["A_TOKEN", "STRIPE_API_KEY"])
        #expect(try store.get("STRIPE_API_KEY")?.reveal() == "sk_test_2")
        #expect(try store.delete("A_TOKEN"))
        #expect(try !store.delete("A_TOKEN"))
        #expect(try store.list() == ["STRIPE_API_KEY"])
        // A second store on the same folder sees the same file.
        #expect(try SecretStore(stateDirectory: dir.path + "/state").get("STRIPE_API_KEY")?.reveal() == "sk_test_2")
    }

    @Test("the file has mode 0600 and no temporary files are left behind")
    func fileMode() throws {
        let dir = try TemporaryDirectory()
        let store = SecretStore(stateDirectory: dir.path)
        try store.put("KEY", Secret("v"))
        let attributes = try FileManager.default.attributesOfItem(atPath: store.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test("readers never see a partial file while writers replace it; concurrent puts are not lost")
    func atomicity() async throws {
        let dir = try TemporaryDirectory()
        let store = SecretStore(stateDirectory: dir.path)
        try store.put("SEED", Secret(String(repeating: "x", count: 10_000)))
        let path = store.path
        let writers = 4
        let perWriter = 25
        let torn = await withTaskGroup(of: Int.self) { group in
            for w in 0..<writers {
                group.addTask {
                    for i in 0..<perWriter {
                        try? store.put("W\(w)_\(i)", Secret(String(repeating: "v", count: 1000 + i)))
                    }
                    return 0
                }
            }
            group.addTask {
                // Read the raw file (bypassing the store's lock) as fast as possible.
                var bad = 0
                for _ in 0..<400 {
                    guard let data = FileManager.default.contents(atPath: path) else { continue }
                    if (try? JSONSerialization.jsonObject(with: data)) == nil { bad += 1 }
                }
                return bad
            }
            return await group.reduce(0, +)
        }
        #expect(torn == 0)
        #expect(try store.list().count == 1 + writers * perWriter)
    }

    @Test("names are letters, digits and underscores, not starting with a digit")
    func names() throws {
        for good in ["A", "_x", "API_TOKEN_2", "lower"] { #expect(SecretStore.isValidName(good), "\(good)") }
        for bad in ["", "1A", "A-B", "A.B", "A B", "É"] { #expect(!SecretStore.isValidName(bad), "\(bad)") }
        let dir = try TemporaryDirectory()
        #expect(throws: ConfigError.self) { try SecretStore(stateDirectory: dir.path).put("BAD-NAME", Secret("v")) }
    }

    @Test("a corrupt store is an error, not an empty store")
    func corrupt() throws {
        let dir = try TemporaryDirectory()
        let store = SecretStore(stateDirectory: dir.path)
        try "[1, 2]".write(toFile: store.path, atomically: true, encoding: .utf8)
        #expect(throws: ConfigError.self) { try store.list() }
    }

    @Test(".dev.vars wins over stored secrets")
    func merge() {
        let merged = SecretStore.merged(
            stored: ["A": Secret("stored"), "B": Secret("stored-b")],
            devVars: ["A": Secret("dev"), "C": Secret("dev-c")]
        )
        #expect(merged.mapValues { $0.reveal() } == ["A": "dev", "B": "stored-b", "C": "dev-c"])
    }

    @Test("a Secret never prints its value")
    func redaction() {
        let secret = Secret("hunter2")
        #expect("\(secret)" == "Secret(********)")
        #expect(String(describing: secret) == "Secret(********)")
        #expect(String(reflecting: secret) == "Secret(********)")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("hunter2"))
        #expect("\(["K": secret])".contains("hunter2") == false)
        #expect(secret.reveal() == "hunter2")
    }
}
