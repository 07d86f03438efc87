// toml-test's decoder interface (https://github.com/toml-lang/toml-test, "Implementing a decoder"):
// TOML on standard input, tagged JSON on standard output and exit 0; invalid TOML is a one-line
// `<stdin>:LINE:COL: message` on standard error and exit 1.
import DroverConfig

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One `write(2)` per message, so the line is never interleaved.
func writeError(_ message: String) {
    let line = Array((message + "\n").utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

var input: [UInt8] = []
var chunk = [UInt8](repeating: 0, count: 65_536)
while true {
    let n = read(0, &chunk, chunk.count)
    if n < 0 {
        if errno == EINTR { continue }
        writeError("<stdin>: cannot read standard input")
        exit(1)
    }
    if n == 0 { break }
    input.append(contentsOf: chunk[0..<n])
}

do {
    let table = try TOMLParser.parse(input, fileName: "<stdin>")
    print(TOMLTaggedJSON.encode(table))
    exit(0)
} catch {
    writeError("\(error)")
    exit(1)
}
