// Drover's benchmarks: run in release mode, `swift run -c release Benchmarks <name> [options]`.
// Each benchmark prints a table of its figures; see Benchmarks/README.md.

let arguments = Array(CommandLine.arguments.dropFirst())
let name = arguments.first ?? "help"
let rest = Array(arguments.dropFirst())

switch name {
case "queues": try await QueuesBenchmark.run(arguments: rest)
default:
    print("usage: Benchmarks <name> [options]")
    print("benchmarks: (none yet)")
}
