import DroverTestSupport
import Foundation
import Testing

@testable import Drover

/// W3C Trace Context Level 1 (https://www.w3.org/TR/trace-context/): `traceparent` and
/// `tracestate` parsing, id generation, and the context an invocation runs under.
@Suite struct TraceContextTests {
    static let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let parentID = "00f067aa0ba902b7"
    static let valid = "00-\(traceID)-\(parentID)-01"

    @Test(arguments: [
        (valid, true),
        ("00-\(traceID)-\(parentID)-00", false),
        ("00-\(traceID)-\(parentID)-09", true),  // unknown flag bits are ignored
        ("00-\(traceID)-\(parentID)-02", false),
        (" \t00-\(traceID)-\(parentID)-01 ", true),  // HTTP's optional whitespace around the value
        ("01-\(traceID)-\(parentID)-01", true),  // a higher version, exactly the version-00 fields
        ("cc-\(traceID)-\(parentID)-01-what-the-future-will-be-like", true),  // the spec's own example
        ("fe-\(traceID)-\(parentID)-00-", false),
    ])
    func validHeadersAreContinued(header: String, sampled: Bool) throws {
        let caller = try #require(TraceContext(traceparent: header))
        #expect(caller.traceID == Self.traceID)
        #expect(caller.spanID == Self.parentID, "the caller's span is the header's parent-id")
        #expect(caller.parentID == nil)
        #expect(caller.sampled == sampled)
        #expect(caller.traceparent == "00-\(Self.traceID)-\(Self.parentID)-0\(sampled ? 1 : 0)", "re-sent as version 00")
    }

    @Test(arguments: [
        ("", "empty"),
        ("garbage", "not a traceparent"),
        ("ff-\(traceID)-\(parentID)-01", "version ff"),
        ("00-\(traceID)-\(parentID)-01-extra", "version 00 longer than 55"),
        ("00-\(traceID)-\(parentID)-1", "shorter than 55"),
        ("01-\(traceID)-\(parentID)-01x", "a higher version not followed by a dash"),
        ("01-\(traceID)-\(parentID)-0", "a higher version shorter than 55"),
        ("00-4BF92F3577B34DA6A3CE929D0E0E4736-\(parentID)-01", "upper-case trace id"),
        ("00-\(traceID)-00F067AA0BA902B7-01", "upper-case parent id"),
        ("0A-\(traceID)-\(parentID)-01", "upper-case version"),
        ("00-\(traceID)-\(parentID)-0A", "upper-case flags"),
        ("00-00000000000000000000000000000000-\(parentID)-01", "all-zero trace id"),
        ("00-\(traceID)-0000000000000000-01", "all-zero parent id"),
        ("00-4bf92f3577b34da6a3ce929d0e0e473g-\(parentID)-01", "a non-hex digit"),
        ("00_\(traceID)_\(parentID)_01", "other separators"),
        ("00-\(traceID)\(parentID)-01-0", "a field boundary moved"),
        ("00-\(traceID)-\(parentID)-01, 00-\(traceID)-\(parentID)-01", "two headers joined"),
        ("0g-\(traceID)-\(parentID)-01", "a non-hex version"),
        ("00-\(traceID)-\(parentID)-é", "a multi-byte character"),
        ("00-\(traceID)-\(parentID)-01\u{0}", "a NUL"),
    ])
    func invalidHeadersAreIgnored(header: String, kind: String) {
        #expect(TraceContext(traceparent: header) == nil, "\(kind)")
        let ids = TraceIDGenerator(seed: 1)
        let started = TraceContext.continuing(traceparent: header, tracestate: "congo=t61rcWkgMzE", using: ids)
        #expect(started.traceID != Self.traceID)
        #expect(started.parentID == nil, "\(kind): a new trace")
        #expect(started.traceState == nil, "\(kind): tracestate is dropped with an invalid traceparent")
    }

    @Test(
        arguments: [
            ("congo=t61rcWkgMzE", "congo=t61rcWkgMzE"),
            ("rojo=00f067aa0ba902b7, congo=t61rcWkgMzE", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"),
            (",, rojo=1 ,\t,", "rojo=1"),  // empty members are allowed and ignored
            ("fw529a3039@dt=ZmY3OQ, 0tenant@vendor=x y", "fw529a3039@dt=ZmY3OQ,0tenant@vendor=x y"),
            ("a/b*c_d-e=v", "a/b*c_d-e=v"),
            ("", nil),
            ("   ", nil),
            ("Rojo=1", nil),  // keys are lower case
            ("1abc=1", nil),  // a simple key starts with a letter
            ("rojo=", nil),
            ("rojo", nil),
            ("=1", nil),
            ("rojo=a=b", nil),
            ("rojo=1 ", "rojo=1"),  // trailing whitespace is OWS around the member
            ("rojo=\u{7F}", nil),
            ("rojo=é", nil),
            ("t@Vendor=1", nil),
            ("t@v1234567890abcd=1", nil),  // a system id of at most 14
        ] as [(String, String?)]
    )
    func traceStateIsPassedThroughWhenWellFormed(header: String, expected: String?) throws {
        let caller = try #require(TraceContext(traceparent: Self.valid, tracestate: header))
        #expect(caller.traceState == expected)
        #expect(caller.child(using: TraceIDGenerator(seed: 1)).traceState == expected)
    }

    @Test func traceStateIsBoundedInMembersAndSize() throws {
        let thirtyTwo = (0..<32).map { "k\($0)=v" }.joined(separator: ",")
        #expect(TraceContext(traceparent: Self.valid, tracestate: thirtyTwo)?.traceState == thirtyTwo)
        #expect(TraceContext(traceparent: Self.valid, tracestate: thirtyTwo + ",k32=v")?.traceState == nil, "33 members")

        // Over 512 bytes: members over 128 bytes go first, then members from the end.
        let big = "big=" + String(repeating: "v", count: 200)
        let small = (0..<5).map { "k\($0)=" + String(repeating: "s", count: 100) }
        let truncated = try #require(TraceContext(traceparent: Self.valid, tracestate: ([big] + small).joined(separator: ",")))
        #expect(truncated.traceState == small.prefix(4).joined(separator: ","))
        #expect(truncated.traceState!.utf8.count <= 512)

        let huge = String(repeating: "a=b,", count: 100_000)
        #expect(TraceContext(traceparent: Self.valid, tracestate: huge)?.traceState == nil)
    }

    @Test func idsAreRenderedAsTheirZeroPaddedLowerCaseHex() {
        func expected(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        var generator = SplitMix64(seed: 7)
        let edges: [UInt64] = [0, 1, 9, 10, 15, 16, 0xFF, 0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210, 0x9999_AAAA_0000_FFFF, .max]
        for value in edges + (0..<1_000).map({ _ in generator.next() }) {
            #expect(TraceHex.string(value) == expected(value))
            #expect(TraceHex.string(value, ~value) == expected(value) + expected(~value))
            var line: [UInt8] = Array("x".utf8)
            TraceHex.appendTraceID(of: TraceContext(traceHigh: value, traceLow: 1, span: 2, parent: 0, sampled: true, traceState: nil), to: &line)
            #expect(String(decoding: line, as: UTF8.self) == "x" + expected(value) + expected(1))
        }
        let trace = TraceContext(traceHigh: 0x0AF7_6519_16CD_43DD, traceLow: 0x8448_EB21_1C80_319C, span: 0xB7AD_6B71_6920_3331, parent: 0, sampled: true, traceState: nil)
        #expect(trace.traceparent == "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
    }

    @Test func hostileInputNeverTraps() {
        var generator = SplitMix64(seed: 42)
        let base = Array(Self.valid.utf8)
        for round in 0..<5_000 {
            var bytes = base
            for _ in 0...(round % 6) {
                let index = Int(generator.next() % UInt64(bytes.count + 1))
                let byte = UInt8(truncatingIfNeeded: generator.next())
                switch generator.next() % 3 {
                case 0 where index < bytes.count: bytes[index] = byte
                case 1: bytes.insert(byte, at: index)
                default: if index < bytes.count { bytes.remove(at: index) }
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            if let parsed = TraceContext(traceparent: text, tracestate: text) {
                #expect(parsed.traceID.utf8.count == 32)
                #expect(TraceContext(traceparent: parsed.traceparent) == parsed.withoutTraceState)
            }
        }
    }

    @Test func aSeededGeneratorRepeatsItsIdsAndARandomOneDoesNot() {
        func ids(_ generator: TraceIDGenerator) -> [String] {
            (0..<3).flatMap { _ -> [String] in
                let trace = TraceContext.start(using: generator)
                return [trace.traceID, trace.spanID, trace.child(using: generator).spanID]
            }
        }
        #expect(ids(TraceIDGenerator(seed: 0)) == ids(TraceIDGenerator(seed: 0)))
        #expect(ids(TraceIDGenerator(seed: 0)) != ids(TraceIDGenerator(seed: 1)))
        let random = (0..<1_000).map { _ in TraceContext.start(using: .random) }
        #expect(Set(random.map(\.traceID)).count == 1_000)
        #expect(Set(random.map(\.spanID)).count == 1_000)
        for trace in random.prefix(50) {
            #expect(trace.traceID.allSatisfy { $0.isHexDigit && !$0.isUppercase })
            #expect(trace.traceparent.utf8.count == 55)
            #expect(TraceContext(traceparent: trace.traceparent)?.traceID == trace.traceID)
        }
    }

    @Test func aContinuedTraceIsAChildOfTheCallersSpan() {
        let ids = TraceIDGenerator(seed: 3)
        let trace = TraceContext.continuing(traceparent: Self.valid, tracestate: "congo=t61rcWkgMzE", using: ids)
        #expect(trace.traceID == Self.traceID)
        #expect(trace.parentID == Self.parentID)
        #expect(trace.spanID != Self.parentID)
        #expect(trace.sampled)
        #expect(trace.traceState == "congo=t61rcWkgMzE")
        #expect(trace.traceparent == "00-\(Self.traceID)-\(trace.spanID)-01", "outbound calls name this span as their parent")
        #expect(trace.description == "\(trace.traceparent) (parent \(Self.parentID))")

        let started = TraceContext.continuing(traceparent: nil, tracestate: nil, using: ids)
        #expect(started.parentID == nil)
        #expect(started.sampled)
    }

    @Test func waitUntilWorkRunsUnderTheContextsTraceAndLogsIt() async {
        let sink = MemoryLogSink()
        let trace = TraceContext.continuing(traceparent: Self.valid, tracestate: nil, using: TraceIDGenerator(seed: 9))
        let context = ExecutionContext(logger: Logger(label: "t", sink: sink), trace: trace)
        // Called from a task that has no current trace: the work still gets the context's.
        await Task.detached {
            context.waitUntil {
                #expect(TraceContext.current == trace)
                context.logger.info("background")
                throw CancellationError()
            }
        }.value
        await context.waitForBackgroundWork()
        #expect(sink.all.count == 2)
        #expect(sink.all.allSatisfy { $0.metadata["trace_id"] == Self.traceID && $0.metadata["span_id"] == trace.spanID })
        #expect(sink.lines.last?.hasPrefix("error: waitUntil task failed") == true)
    }

    @Test func aContextMadeWithoutATraceStartsOne() {
        let context = ExecutionContext(logger: .disabled)
        #expect(context.trace.parentID == nil)
        #expect(context.trace.traceID != ExecutionContext(logger: .disabled).trace.traceID)
    }
}

extension TraceContext {
    fileprivate var withoutTraceState: TraceContext {
        TraceContext(traceHigh: traceHigh, traceLow: traceLow, span: span, parent: parent, sampled: sampled, traceState: nil)
    }
}

