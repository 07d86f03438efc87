import Drover

/// How the verifiers read the headers a webhook scheme signs: absent and empty are the same
/// (as in every official verifier), and a value is bounded before anything parses it.
enum WebhookHeaderField {
    /// The longest signature, id or timestamp header accepted, in bytes. A `Stripe-Signature` with
    /// its `v0` and a rotated secret's second `v1` is about 220 bytes, a `svix-signature` with two
    /// signatures about 100; the bound keeps a hostile header from costing more than that much.
    static let maximumLength = 4096

    /// The value of the field `name` (lower case), repeated fields joined with `", "` as Fetch's
    /// `get` does, or nil when it is absent or empty. Names of another length are passed over
    /// without comparing them: the verifiers read two or three fields of every webhook.
    static func value(_ name: String, in headers: Headers) -> String? {
        let length = name.utf8.count
        var found: String?
        for field in headers.fields where field.name.utf8.count == length && field.name == name {
            found = found.map { $0 + ", " + field.value } ?? field.value
        }
        return found?.isEmpty == false ? found : nil
    }

    /// Refuses `value`, the field `name`, when it is longer than ``maximumLength``.
    /// - Throws: ``WebhookSignatureError`` ``WebhookSignatureError/Reason/malformedHeader``.
    static func checkLength(_ value: String, name: String) throws(WebhookSignatureError) {
        let length = value.utf8.count
        guard length <= maximumLength else {
            throw WebhookSignatureError(.malformedHeader, "\(name) is \(length) bytes long; at most \(maximumLength) are accepted")
        }
    }

    /// Calls `body` with the items of a signature header: for each item between `separator` bytes
    /// that holds `divider`, the bytes before its first `divider` (the name), the bytes after it
    /// (the value), and a function that makes the value's text when it is needed; items without
    /// `divider` (the empty ones included) are skipped. Bytes are scanned, not characters, so a
    /// combining mark cannot glue a separator to its neighbour.
    static func forEachItem(
        of value: String,
        separatedBy separator: UInt8,
        dividedBy divider: UInt8,
        _ body: (_ name: Slice<UnsafeBufferPointer<UInt8>>, _ value: Slice<UnsafeBufferPointer<UInt8>>, _ text: () -> Substring) -> Void
    ) {
        var value = value
        value.makeContiguousUTF8()
        let utf8 = value.utf8
        _ = utf8.withContiguousStorageIfAvailable { bytes in
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != separator { end += 1 }
                var dividerAt = start
                while dividerAt < end, bytes[dividerAt] != divider { dividerAt += 1 }
                if dividerAt < end {
                    body(bytes[start..<dividerAt], bytes[dividerAt + 1..<end]) {
                        // Offsets into a native string's UTF-8 become indices in constant time.
                        Substring(utf8[utf8.index(utf8.startIndex, offsetBy: dividerAt + 1)..<utf8.index(utf8.startIndex, offsetBy: end)])
                    }
                }
                start = end + 1
            }
        }
    }
}
