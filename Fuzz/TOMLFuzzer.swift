// libFuzzer entry for the TOML parser. Not part of any SwiftPM target; see Fuzz/README.md.
// Every input must produce a table or a positioned TOMLError: a crash, a sanitizer report or a hang is a bug.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTOML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let table = try TOMLParser.parse(bytes, fileName: "fuzz")
        _ = TOMLTaggedJSON.encode(table)
    } catch {
        precondition(error.line >= 1 && error.column >= 1, "error without a position: \(error)")
        precondition(!error.description.contains("\n"), "multi-line error: \(error)")
    }
    return 0
}
