import Drover
import DroverKV
import DroverTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Kills a writer process with SIGKILL at random moments and checks the store it leaves.
///
/// The writer is the `Benchmarks` executable's `kv-crash-writer` subcommand, built beside this test
/// bundle by `swift build --build-tests`. It prints each key after `put` returned.
@Suite("KV crash safety")
struct KVCrashTests {
    /// The value the writer stores under `k<n>`: sizes from 0 to 64 KiB, and 3 MiB for every tenth key so a kill can land inside a `pwrite` (Linux stops a large write between pages on SIGKILL).
    static func expectedValue(_ n: Int) -> [UInt8] {
        let length = n % 10 == 0 ? 3 << 20 : (n * 7_919) % 65_537
        return Array("\(n):".utf8) + [UInt8](repeating: UInt8(truncatingIfNeeded: n &* 31), count: length)
    }

    static func writerPath() throws -> String {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var folder = URL(fileURLWithPath: executable).deletingLastPathComponent()
        // Inside an .xctest bundle on some platforms: walk up to the build folder.
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("Benchmarks").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        throw KVStoreError.ioFailure
    }

    @Test("kill -9 at random moments: every acknowledged write is present and no value is torn")
    func killNine() async throws {
        let path: String
        do {
            path = try Self.writerPath()
        } catch {
            Issue.record(
                "The Benchmarks executable is missing next to the test bundle: build with `swift build --build-tests` first."
            )
            return
        }
        let directory = TemporaryDirectory()
        var acknowledged = Set<Int>()
        var generator = SystemRandomNumberGenerator()
        var start = 0
        for round in 0..<5 {
            let process = try ChildProcess(path, ["kv-crash-writer", directory.namespace, String(start)], output: .pipe)
            let stopAfter = Int.random(in: 5...120, using: &generator)
            var seen = 0
            var buffer: [UInt8] = []
            let reader = try #require(process.output)
            reading: while seen < stopAfter {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                buffer += chunk
                while let newline = buffer.firstIndex(of: 0x0A) {
                    let line = String(decoding: buffer[..<newline], as: UTF8.self)
                    buffer.removeSubrange(...newline)
                    guard let n = Int(line) else { continue }
                    acknowledged.insert(n)
                    seen += 1
                    if seen >= stopAfter { break reading }
                }
            }
            process.signal(SIGKILL)
            let termination = process.waitUntilExit()
            // Lines already in the pipe were acknowledged before the kill.
            let rest = buffer + reader.readDataToEndOfFile()
            for line in String(decoding: rest, as: UTF8.self).split(separator: "\n") {
                if let n = Int(line) { acknowledged.insert(n) }
            }
            #expect(termination == .signaled(SIGKILL), "round \(round): the writer \(termination) by itself")

            let kv = try FileKVNamespace(directory: directory.namespace, clock: SystemWallClock(), logger: .disabled)
            for n in acknowledged {
                let value = try kv.getWithMetadata(rawKey: Array("k\(n)".utf8))?.value
                #expect(value == Self.expectedValue(n), "round \(round): acknowledged k\(n) lost or wrong")
            }
            // Whatever else is there (written but not yet acknowledged) is whole too.
            for key in try kv.listAll() {
                guard let n = Int(key.name.dropFirst()) else { continue }
                let value = try kv.getWithMetadata(rawKey: Array(key.name.utf8))?.value
                #expect(value == Self.expectedValue(n), "round \(round): \(key.name) is torn")
            }
            kv.close()
            start = (acknowledged.max() ?? start) + 1000
        }
        #expect(acknowledged.count >= 25)
    }
}
