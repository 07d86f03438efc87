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
        precondition(offset >= 0 && offset + 16 <= buffer.count)
        let raw = UnsafeMutableRawPointer(buffer.baseAddress! + offset)
        raw.storeBytes(of: digits(UInt32(truncatingIfNeeded: value >> 32)), as: UInt64.self)
        raw.storeBytes(of: digits(UInt32(truncatingIfNeeded: value)), toByteOffset: 8, as: UInt64.self)
    }

    /// The 8 hex digits of `value`, most significant first, as the bytes of a word in memory order:
    /// eight digits at once (SWAR) instead of one at a time.
    private static func digits(_ value: UInt32) -> UInt64 {
        // Spread the nibbles, one per byte: byte k holds nibble k (k = 0 the least significant).
        var x = UInt64(value)
        x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF
        x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF
        x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F
        // `0`...`9`, then 39 further on for `a`...`f`: a byte's bit 4 is set once it is 10 or more.
        let letters = ((x &+ 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101
        x = x &+ 0x3030_3030_3030_3030 &+ letters &* 39
        // The most significant nibble first in memory.
        return x.bigEndian
    }
}
