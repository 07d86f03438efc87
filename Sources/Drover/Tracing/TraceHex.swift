/// Lower-case hex renderings of trace and span ids, written straight into the string's storage:
/// the request path renders them for every log line.
enum TraceHex {
    /// 16 hex digits.
    static func string(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { buffer in
            write(value, into: buffer, at: 0)
            return 16
        }
    }

    /// 32 hex digits: `high` then `low`.
    static func string(_ high: UInt64, _ low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 32) { buffer in
            write(high, into: buffer, at: 0)
            write(low, into: buffer, at: 16)
            return 32
        }
    }

    /// `00-<trace id>-<span id>-<flags>`: 55 characters.
    static func traceparent(_ high: UInt64, _ low: UInt64, span: UInt64, sampled: Bool) -> String {
        String(unsafeUninitializedCapacity: 55) { buffer in
            buffer[0] = UInt8(ascii: "0")
            buffer[1] = UInt8(ascii: "0")
            buffer[2] = UInt8(ascii: "-")
            write(high, into: buffer, at: 3)
            write(low, into: buffer, at: 19)
            buffer[35] = UInt8(ascii: "-")
            write(span, into: buffer, at: 36)
            buffer[52] = UInt8(ascii: "-")
            buffer[53] = UInt8(ascii: "0")
            buffer[54] = sampled ? UInt8(ascii: "1") : UInt8(ascii: "0")
            return 55
        }
    }

    /// Appends `trace`'s 32-digit trace id to `bytes`, building no string: a text log line's tail.
    static func appendTraceID(of trace: TraceContext, to bytes: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digits in
            write(trace.traceHigh, into: digits, at: 0)
            write(trace.traceLow, into: digits, at: 16)
            bytes.append(contentsOf: UnsafeBufferPointer(digits))
        }
    }

    /// Writes `value` as 16 lower-case hex digits at `offset`.
    private static func write(_ value: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        var rest = value
        for index in (0..<16).reversed() {
            let nibble = UInt8(truncatingIfNeeded: rest) & 0xF
            rest >>= 4
            // Branch-free: `0`...`9`, then `a`...`f` (39 further on) once the nibble passes 9.
            let letter = (9 &- nibble) >> 7
            buffer[offset + index] = nibble &+ UInt8(ascii: "0") &+ letter &* 39
        }
    }
}
