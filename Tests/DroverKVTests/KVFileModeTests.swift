import Drover
import Foundation
import Testing

@testable import DroverKV

#if canImport(Glibc)
import Glibc
#endif

@Suite("KV file modes")
struct KVFileModeTests {
    @Test("state files are the owner's only: 0600 for the log, head, torn and damaged files, 0700 for the folders")
    func fileModes() async throws {
        let directory = TemporaryDirectory()
        do {
            let kv = try KVTestFactory.make(directory)
            for n in 0..<20 { try await kv.put("k\(n)", "v\(n)") }
            try kv.compact()
            for n in 0..<20 { try await kv.put("k\(n)", "w\(n)") }
            kv.close()
        }
        let log = directory.namespace + "/log-2"
        let records = try LogFixture.scan(log).records
        try LogFixture.edit(log) { bytes in
            bytes[Int(records[5].offset) + 30] ^= 1  // damage in the middle
            bytes += [1, 2, 3]  // and a torn tail
        }
        let kv = try KVTestFactory.make(directory)
        #expect(try await kv.get("k19") == "w19")
        let files = try LogFixture.files(directory)
        #expect(files.contains { $0.hasPrefix("torn-") } && files.contains { $0.hasPrefix("damaged-") }, "\(files)")
        for name in files {
            #expect(Self.mode(directory.namespace + "/" + name) == 0o600, "\(name)")
        }
        #expect(Self.mode(directory.namespace) == 0o700)
        #expect(Self.mode(directory.path + "/kv") == 0o700)
    }

    static func mode(_ path: String) -> mode_t {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0 }
        return info.st_mode & 0o777
    }
}
