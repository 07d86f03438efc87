import Foundation
import Testing

@testable import Drover

/// `Logger` stamps records with its injected clock.
@Suite struct LoggerClockAndTraceTests {
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
}
