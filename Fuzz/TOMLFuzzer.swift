// libFuzzer entry for the TOML parser, and the config decoder and `.dev.vars` parser behind it.
// Not part of any SwiftPM target; see Fuzz/README.md. Every input must produce a value or a one-line,
// positioned error: a crash, a sanitizer report or a hang is a bug.

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
    do {
        let loaded = try ConfigLoader.decode(bytes, configPath: "/fuzz/wrangler-like.toml", environment: "staging")
        _ = loaded.config.renderJSON()
        _ = loaded.config.renderText()
    } catch {
        precondition(!error.description.contains("\n"), "multi-line error: \(error)")
    }
    do {
        _ = try DevVars.parse(bytes, file: ".dev.vars")
    } catch {
        precondition(error.line != nil && !error.description.contains("\n"), "bad .dev.vars error: \(error)")
    }
    return 0
}
