import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import Drover

@Suite struct LogSinkTests {
    static let record = LogRecord(
        date: Date(timeIntervalSince1970: 1_767_225_600.25),
        level: .warning,
        label: "worker",
        message: "slow \"upstream\"",
        metadata: ["request": "7", "trace": "abc"]
    )

    @Test("a redacting sink replaces every secret value, the longest first, in the message and the metadata; short values are left")
    func redaction() {
        let memory = MemoryLogSink()
        let sink = RedactingLogSink(memory)
        sink.update(["KEY": "sk_live_abc", "LONG": "sk_live_abcdef", "PIN": "42"])
        sink.write(LogRecord(date: Date(), level: .info, label: "worker", message: "url ?k=sk_live_abcdef&j=sk_live_abc pin 42", metadata: ["header": "Bearer sk_live_abc"]))
        let written = memory.all[0]
        #expect(written.message == "url ?k=[secret LONG]&j=[secret KEY] pin 42")
        #expect(written.metadata["header"] == "Bearer [secret KEY]")
        sink.update([:])
        sink.write(LogRecord(date: Date(), level: .info, label: "worker", message: "sk_live_abc", metadata: [:]))
        #expect(memory.all[1].message == "sk_live_abc")
    }

    @Test("a redacting sink finds a secret the way recordings do: percent-encoded, JSON-escaped or inside base64 too")
    func redactionOfEncodedForms() {
        let memory = MemoryLogSink()
        let sink = RedactingLogSink(memory)
        let secret = "s3cret/value"
        sink.update(["TOKEN": secret])
        let basic = Base64.encode(Array("user:\(secret)".utf8))
        sink.write(LogRecord(date: Date(), level: .info, label: "worker", message: "?t=s3cret%2Fvalue {\"t\":\"s3cret\\/value\"} Basic \(basic)", metadata: [:]))
        let written = memory.all[0].message
        #expect(written.hasPrefix("?t=[secret TOKEN] {\"t\":\"[secret TOKEN]\"} Basic "), "\(written)")
        let credential = written.components(separatedBy: "Basic ").last ?? ""
        #expect(credential != basic && credential.contains("[secret TOKEN]"), "\(written)")
    }

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

/// The writer behind standard error: a reader that stops reading never stalls the threads that log.
@Suite struct LogLineWriterTests {
    @Test(.timeLimit(.minutes(1)))
    func aPipeNobodyReadsNeverBlocksTheLoggerAndDroppedLinesAreReported() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }  // after the reading thread has seen the end
        let writer = LogLineWriter(descriptor: fds[1], capacity: 256 * 1024)
        let line = Array((String(repeating: "x", count: 99) + "\n").utf8)
        // 10 MB into a pipe that holds 64 KiB and is not read: a blocking write(2) would hang here.
        for _ in 0..<100_000 { writer.write(line) }
        #expect(writer.droppedLines > 0)
        // Now read everything: the lines that fit, whole, then the report of the dropped ones.
        let output = Mutex<(bytes: [UInt8], ended: Bool)>(([], false))
        let drained = Thread { [fd = fds[0]] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(fd, &buffer, buffer.count)
                if count <= 0 { break }
                output.withLock { $0.bytes.append(contentsOf: buffer[0..<count]) }
            }
            output.withLock { $0.ended = true }
        }
        drained.start()
        #expect(writer.flush(timeout: .seconds(30)))
        close(fds[1])
        // Read to the end of the pipe (the read end closes only then, so its number is not reused
        // under the reading thread).
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, !output.withLock({ $0.ended }) { usleep(10_000) }
        let text = String(decoding: output.withLock { $0.bytes }, as: UTF8.self)
        let lines = text.split(separator: "\n")
        // Every line whole, in order; each run of dropped lines reported where it happened (the
        // loop kept logging while the writer waited, so there may be several reports), the last
        // line a report, and nothing lost unreported.
        let notes = lines.filter { $0.hasPrefix("drover: ") }
        let written = lines.filter { $0.count == 99 && $0.allSatisfy { $0 == "x" } }
        #expect(notes.count + written.count == lines.count)
        #expect(lines.last?.hasPrefix("drover: ") == true)
        let reported = notes.compactMap { Int($0.split(separator: " ")[1]) }.reduce(0, +)
        #expect(notes.allSatisfy { $0.hasSuffix("log lines dropped: output was not being read fast enough") })
        #expect(written.count + reported == 100_000)
    }
}
