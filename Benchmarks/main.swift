// Drover's benchmarks: run in release mode, `swift run -c release Benchmarks <name> [options]`.
// Each benchmark prints a table of its figures; see Benchmarks/README.md.

let arguments = Array(CommandLine.arguments.dropFirst())
let name = arguments.first ?? "help"
let rest = Array(arguments.dropFirst())

switch name {
case "kv": try await KVBenchmark.run(arguments: rest)
case "kv-crash-writer": try await KVCrashWriter.run(arguments: rest)
default:
    print("usage: Benchmarks <name> [options]")
    print("benchmarks: (none yet)")
}
