// Drover's benchmarks: run in release mode, `swift run -c release Benchmarks <name> [options]`.
// Each benchmark prints a table of its figures; see Benchmarks/README.md.

import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
let name = arguments.first ?? "help"
let rest = Array(arguments.dropFirst())

do {
    switch name {
    case "d1": try await D1Benchmark.run(arguments: rest)
    case "router": try await RouterBenchmark.run(arguments: rest)
    case "host": try await HostBenchmark.run(arguments: rest)
    case "trace": try await TraceBenchmark.run(arguments: rest)
    case "http-hello": try await HTTPBenchmark.run(arguments: rest)
    case "replay": try await ReplayBenchmark.run(arguments: rest)
    case "queues": try await QueuesBenchmark.run(arguments: rest)
    case "kv": try await KVBenchmark.run(arguments: rest)
    case "kv-crash-writer": try await KVCrashWriter.run(arguments: rest)
    case "http-fd-pressure": try await HTTPDescriptorPressure.run(arguments: rest)
    case "jwt": try await JWTBenchmark.run(arguments: rest)
    case "webhooks": try await WebhookBenchmark.run(arguments: rest)
    case "json": try await JSONBenchmark.run(arguments: rest)
    case "do": try await DurableObjectsBenchmark.run(arguments: rest)
    default:
        print("usage: Benchmarks <name> [options]")
        print("benchmarks: d1, kv, queues, do, router, host, trace, replay, http-hello, jwt, webhooks, json")
    }
} catch {
    // A benchmark that cannot run says why and exits 1, rather than trapping with a backtrace.
    FileHandle.standardError.write(Data("Benchmarks \(name): \(error)\n".utf8))
    exit(1)
}
