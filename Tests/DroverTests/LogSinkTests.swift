import Foundation
import Testing

@testable import Drover

@Suite struct LogSinkTests {
    static let record = LogRecord(
        date: Date(timeIntervalSince1970: 1_767_225_600.25),
        level: .warning,
        label: "worker",
        message: "slow \"upstream\"",
        metadata: ["request": "7", "trace": "abc"]
    )

    @Test func jsonLinesAreOneJSONObjectWithTimeLevelLabelMessageAndMetadata() throws {
        let line = StandardErrorLogSink.jsonLine(Self.record)
        #expect(!line.contains(0x0A))
        let object = try #require(try JSONParser.parse(line).objectValue)
        #expect(object["time"] == "2026-01-01T00:00:00.250Z")
        #expect(object["level"] == "warning")
        #expect(object["label"] == "worker")
        #expect(object["message"] == "slow \"upstream\"")
        #expect(object["request"] == "7")
        #expect(object["trace"] == "abc")
    }

    @Test func textLinesCarryTheLevelPrefixAndSortedMetadata() {
        let line = String(decoding: StandardErrorLogSink.textLine(Self.record), as: UTF8.self)
        #expect(line == "warning: slow \"upstream\" request=7 trace=abc")
    }

    @Test func memorySinkKeepsEveryRecordInOrder() {
        let sink = MemoryLogSink()
        let logger = Logger(label: "t", level: .debug, sink: sink)
        logger.trace("dropped below the level")
        logger.debug("one")
        logger.error("two", metadata: ["k": "v"])
        #expect(sink.lines == ["one", "error: two k=v"])
    }
}
