import Drover
import DroverKV
import Foundation

/// `Benchmarks kv-crash-writer DIR START`: the writer process of DroverKVTests' kill -9 test.
///
/// Puts `k<n>` for n = START, START+1, ... forever (values of the test's pattern, up to 64 KiB),
/// with a compaction now and then, printing `n` on its own line after each `put` returned.
enum KVCrashWriter {
    static func run(arguments: [String]) async throws {
        guard arguments.count >= 2, let start = Int(arguments[1]) else {
            print("usage: Benchmarks kv-crash-writer DIR START")
            return
        }
        let kv = try FileKVNamespace(directory: arguments[0], clock: SystemWallClock(), logger: .disabled)
        var n = start
        while true {
            let length = n % 10 == 0 ? 3 << 20 : (n * 7_919) % 65_537
            let value = Array("\(n):".utf8) + [UInt8](repeating: UInt8(truncatingIfNeeded: n &* 31), count: length)
            try kv.put(rawKey: Array("k\(n)".utf8), value: value, options: KVPutOptions())
            if n % 211 == 0 { try kv.compact() }
            let line = Array("\(n)\n".utf8)
            FileHandle.standardOutput.write(Data(line))
            n += 1
        }
    }
}
