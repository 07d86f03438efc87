extension StringProtocol {
    /// Calls `body` with the text's UTF-8: in place when it is contiguous (a native string's is),
    /// else from a copy. Inlinable so the caller's string type is known and the common case reads
    /// the bytes where they are.
    @inlinable
    func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        return try Array(utf8).withUnsafeBufferPointer(body)
    }
}
