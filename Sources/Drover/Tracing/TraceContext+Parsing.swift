/// Reading `traceparent` and `tracestate` as W3C Trace Context Level 1 defines them
/// (https://www.w3.org/TR/trace-context/#traceparent-header). Any input is safe: a header that
/// breaks a rule is refused, never half-read, and nothing here traps.
extension TraceContext {
    /// The largest `tracestate` passed on, in bytes: the specification's 512, which a vendor
    /// should propagate at least and may truncate to.
    static let maxTraceStateBytes = 512
    /// The most list members of a `tracestate`; more makes it invalid.
    static let maxTraceStateMembers = 32

    /// The caller's span as a `traceparent` header describes it, with `tracestate` passed through,
    /// or `nil` when the header is invalid:
    /// - `version-traceid-parentid-flags`, lower-case hex only, dashes between;
    /// - version `00` is exactly 55 characters; version `ff` is invalid; a higher version is read
    ///   by its first four fields when they are followed by `-` or by the end;
    /// - a trace id or parent id of all zeros is invalid.
    ///
    /// The result's ``spanID`` is the header's parent id (the caller's span), its ``parentID`` is
    /// `nil`, ``sampled`` is bit 0 of the flags (other bits are ignored). `tracestate` is kept
    /// only when every list member is well formed and there are at most 32; past 512 bytes,
    /// members over 128 bytes are dropped first, then members from the end, as the specification
    /// allows. Spaces and tabs around the header value are ignored (HTTP's optional whitespace).
    public init?(traceparent: String, tracestate: String? = nil) {
        var header = traceparent
        guard
            let fields = header.withUTF8({ Self.parseTraceparent(Self.trimmingWhitespace($0)) })
        else { return nil }
        self.init(
            traceHigh: fields.high,
            traceLow: fields.low,
            span: fields.parent,
            parent: 0,
            sampled: fields.sampled,
            traceState: tracestate.flatMap(Self.normalizedTraceState)
        )
    }

    private static func parseTraceparent(
        _ bytes: UnsafeBufferPointer<UInt8>
    ) -> (high: UInt64, low: UInt64, parent: UInt64, sampled: Bool)? {
        guard bytes.count >= 55, bytes[2] == UInt8(ascii: "-"), let version = hex(bytes, 0, 2) else { return nil }
        if version == 0xFF { return nil }
        if version == 0 {
            guard bytes.count == 55 else { return nil }
        } else if bytes.count > 55, bytes[55] != UInt8(ascii: "-") {
            return nil
        }
        guard
            let high = hex(bytes, 3, 16), let low = hex(bytes, 19, 16), bytes[35] == UInt8(ascii: "-"),
            let parent = hex(bytes, 36, 16), bytes[52] == UInt8(ascii: "-"),
            let flags = hex(bytes, 53, 2),
            high | low != 0, parent != 0
        else { return nil }
        return (high, low, parent, flags & 1 == 1)
    }

    /// The `count` lower-case hex digits at `start` as a number; `nil` if any is not one.
    private static func hex(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> UInt64? {
        var value: UInt64 = 0
        for index in start..<(start + count) {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }

    private static func trimmingWhitespace(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
    }

    /// `tracestate` as passed on: its list members joined by `,`, or `nil` when it is empty or
    /// invalid (a malformed member, more than 32 members). Over 512 bytes it is truncated by whole
    /// members: those over 128 bytes go first, then members from the end.
    static func normalizedTraceState(_ value: String) -> String? {
        // A value this long cannot hold 32 valid members (each at most 256 + 1 + 256 bytes) with
        // reasonable whitespace: refuse it before splitting anything.
        guard value.utf8.count <= 32 * 600 else { return nil }
        var members: [Substring] = []
        for raw in value.split(separator: ",", omittingEmptySubsequences: false) {
            let member = raw.trimmingOptionalWhitespace()
            if member.isEmpty { continue }  // empty members are allowed, and ignored
            guard isValidTraceStateMember(member) else { return nil }
            members.append(member)
            if members.count > maxTraceStateMembers { return nil }
        }
        if members.isEmpty { return nil }
        func size(_ list: [Substring]) -> Int { list.reduce(max(0, list.count - 1)) { $0 + $1.utf8.count } }
        if size(members) > maxTraceStateBytes {
            members.removeAll { $0.utf8.count > 128 }
            while !members.isEmpty, size(members) > maxTraceStateBytes { members.removeLast() }
            if members.isEmpty { return nil }
        }
        return members.joined(separator: ",")
    }

    /// `key=value` per the specification's grammar: a key is a simple key (a lower-case letter,
    /// then up to 255 of `a-z 0-9 _ - * /`) or `tenant@system` (a tenant of up to 241 starting with
    /// a letter or digit, a system of up to 14 starting with a letter); a value is 1 to 256
    /// printable ASCII characters other than `,` and `=`, not ending in a space.
    private static func isValidTraceStateMember(_ member: Substring) -> Bool {
        let bytes = Array(member.utf8)
        guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { return false }
        let key = bytes[..<equals]
        let value = bytes[(equals + 1)...]
        return isValidKey(key) && isValidValue(value)
    }

    private static func isValidKey(_ key: ArraySlice<UInt8>) -> Bool {
        func isLetter(_ byte: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) }
        func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        func isKeyCharacter(_ byte: UInt8) -> Bool {
            isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "*") || byte == UInt8(ascii: "/")
        }
        if let at = key.firstIndex(of: UInt8(ascii: "@")) {
            let tenant = key[..<at]
            let system = key[(at + 1)...]
            guard let tenantFirst = tenant.first, isLetter(tenantFirst) || isDigit(tenantFirst), tenant.count <= 241,
                let systemFirst = system.first, isLetter(systemFirst), system.count <= 14
            else { return false }
            return tenant.allSatisfy(isKeyCharacter) && system.allSatisfy(isKeyCharacter)
        }
        guard let first = key.first, isLetter(first), key.count <= 256 else { return false }
        return key.allSatisfy(isKeyCharacter)
    }

    private static func isValidValue(_ value: ArraySlice<UInt8>) -> Bool {
        guard let last = value.last, last != 0x20, value.count <= 256 else { return false }
        return value.allSatisfy { byte in
            (0x20...0x7E).contains(byte) && byte != UInt8(ascii: ",") && byte != UInt8(ascii: "=")
        }
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    fileprivate func trimmingOptionalWhitespace() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }
}
