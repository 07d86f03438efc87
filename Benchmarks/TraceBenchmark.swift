import Drover

/// The pieces of a request's trace: making its ids, and running under it as the task-local value.
///
/// `swift run -c release Benchmarks trace [iterations]`
enum TraceBenchmark {
    static func run(arguments: [String]) async throws {
        let iterations = arguments.first.flatMap(Int.init) ?? 1_000_000
        let clock = ContinuousClock()
        var sum: UInt64 = 0
        let ids = clock.measure {
            for _ in 0..<iterations { sum &+= UInt64(TraceContext.start(using: .random).traceID.utf8.count) }
        }
        let trace = TraceContext.start(using: .random)
        let local = clock.measure {
            for _ in 0..<iterations {
                TraceContext.$current.withValue(trace) { sum &+= 1 }
            }
        }
        let header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let parse = clock.measure {
            for _ in 0..<iterations { sum &+= TraceContext(traceparent: header, tracestate: nil) == nil ? 0 : 1 }
        }
        func ns(_ duration: Duration) -> Int {
            Int((Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9) / Double(iterations))
        }
        print("| step | ns |")
        print("|---|---|")
        print("| TraceContext.start(using: .random) + traceID text | \(ns(ids)) |")
        print("| TraceContext.$current.withValue | \(ns(local)) |")
        print("| parse a traceparent | \(ns(parse)) |")
        if sum == 0 { print("(unreachable)") }
    }
}
