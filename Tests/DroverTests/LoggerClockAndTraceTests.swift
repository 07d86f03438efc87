import Foundation
import Testing

@testable import Drover

/// `Logger` stamps records with its injected clock and tags them with the current trace.
@Suite struct LoggerClockAndTraceTests {
    static let trace = TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")!

    @Test func recordsAreStampedByTheLoggersClock() async throws {
        let clock = ManualWallClock(Date(timeIntervalSince1970: 1_767_225_600))
        let sink = MemoryLogSink()
        let logger = Logger(label: "t", sink: sink, clock: clock)
        logger.info("first")
        try await clock.sleep(for: .seconds(30))
        logger.info("second")
        #expect(sink.all.map(\.date) == [Date(timeIntervalSince1970: 1_767_225_600), Date(timeIntervalSince1970: 1_767_225_630)])
        let json = try JSONParser.parse(StandardErrorLogSink.jsonLine(sink.all[1]))
        #expect(json["time"] == "2026-01-01T00:00:30.000Z")
    }

    @Test func aLoggerWithoutAClockUsesTheRealOne() {
        let sink = MemoryLogSink()
        let before = Date()
        Logger(label: "t", sink: sink).info("now")
        #expect(sink.all[0].date >= before)
        #expect(sink.all[0].date <= Date())
    }

    @Test func recordsCarryTheCurrentTracesIdsAndExplicitOnesWin() {
        let sink = MemoryLogSink()
        let logger = Logger(label: "t", metadata: ["request": "1"], sink: sink)
        logger.info("outside")
        TraceContext.$current.withValue(Self.trace) {
            logger.info("inside")
            logger.info("explicit", metadata: ["trace_id": "mine"])
        }
        let records = sink.all
        #expect(records[0].metadata == ["request": "1"])
        #expect(records[1].metadata == ["request": "1", "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "span_id": "00f067aa0ba902b7"])
        #expect(records[2].metadata == ["request": "1", "trace_id": "mine"])
    }

    @Test func theTextLineEndsWithTheTraceIdAloneAndJSONHasBoth() throws {
        let sink = MemoryLogSink()
        TraceContext.$current.withValue(Self.trace) {
            Logger(label: "t", sink: sink).warning("slow", metadata: ["request": "7", "zone": "a"])
        }
        #expect(sink.lines == ["warning: slow request=7 zone=a trace=4bf92f3577b34da6a3ce929d0e0e4736"])
        let json = try JSONParser.parse(StandardErrorLogSink.jsonLine(sink.all[0]))
        #expect(json["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(json["span_id"] == "00f067aa0ba902b7")
        #expect(json["request"] == "7")
    }
}
