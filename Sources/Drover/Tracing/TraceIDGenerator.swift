import Synchronization

/// Where new trace and span ids come from: random in `drover dev`, a fixed sequence in replay and
/// tests so that fixtures and their logs come out the same on every run.
///
/// Both are SplitMix64 over a counter — a bijection, so every id differs from the ones before it.
/// The seeded generator starts its counter at the seed; the random one at a seed drawn once from
/// the kernel's generator, so ids differ from process to process and are spread uniformly, as
/// W3C Trace Context asks (§3.2.2.3). The counter is an atomic: making a trace's ids takes no lock
/// and no system call (the request path's share of them was 0.1 µs with a locked pool of kernel
/// random words). Trace ids are identifiers, not secrets: nothing relies on their being
/// unpredictable.
public final class TraceIDGenerator: Sendable {
    private let counter: Atomic<UInt64>
    private static let golden: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// Ids from a seed drawn from the system's random generator: `drover dev`'s.
    public static let random = TraceIDGenerator(seed: UInt64.random(in: .min ... .max))

    /// A deterministic sequence of ids: the same `seed` gives the same ids in the same order (a
    /// fixture run's and a `TestClient`'s).
    public init(seed: UInt64) {
        counter = Atomic(seed)
    }

    /// A new trace's ids: a 128-bit trace id, never all zeros, and a span id, never zero. One
    /// atomic step takes the three counter values they come from.
    func nextTraceAndSpanID() -> (high: UInt64, low: UInt64, span: UInt64) {
        let last = counter.wrappingAdd(3 &* Self.golden, ordering: .relaxed).newValue
        var high = Self.mix(last &- 2 &* Self.golden)
        var low = Self.mix(last &- Self.golden)
        var span = Self.mix(last)
        // A zero comes once in 2^64 words: draw again (rarely, so one step at a time).
        while high | low == 0 {
            high = nextWord()
            low = nextWord()
        }
        while span == 0 { span = nextWord() }
        return (high, low, span)
    }

    /// A span id: 64 bits, never zero.
    func nextSpanID() -> UInt64 {
        var word = nextWord()
        while word == 0 { word = nextWord() }
        return word
    }

    private func nextWord() -> UInt64 {
        Self.mix(counter.wrappingAdd(Self.golden, ordering: .relaxed).newValue)
    }

    /// SplitMix64's output function (a bijection: distinct counters give distinct words).
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
