import CCrypto

/// Drover's one wrapper of libcrypto's digests, MAC, comparison and random bytes.
///
/// Only the files in `Crypto/OpenSSL/` import `CCrypto`; everything else in `Crypto/` calls these
/// functions, so each OpenSSL call is written once and no OpenSSL type reaches a public signature.
/// A failure here means libcrypto itself is broken (out of memory, no entropy source): nothing a
/// caller passes can cause one, so it traps rather than return a wrong digest.
enum OpenSSL {
    /// The SHA-2 functions Drover exposes.
    enum Digest {
        case sha256, sha384, sha512

        /// The length of the digest, in bytes.
        var size: Int {
            switch self {
            case .sha256: return 32
            case .sha384: return 48
            case .sha512: return 64
            }
        }

        /// OpenSSL's `EVP_MD` for it.
        var md: OpaquePointer {
            switch self {
            case .sha256: return EVP_sha256()
            case .sha384: return EVP_sha384()
            case .sha512: return EVP_sha512()
            }
        }
    }

    /// `EVP_Digest`: the digest of `bytes`.
    static func digest(_ digest: Digest, of bytes: some Sequence<UInt8>) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: digest.size)
        var length: UInt32 = 0
        let status = withBytes(bytes) { data, count in
            output.withUnsafeMutableBufferPointer { out in
                EVP_Digest(data, count, out.baseAddress, &length, digest.md, nil)
            }
        }
        guard status == 1, Int(length) == digest.size else { fail("EVP_Digest") }
        return output
    }

    /// `EVP_Q_mac` with HMAC over SHA-256: the 32-byte MAC of `data` under `key` (any length).
    static func hmacSHA256(key: some Sequence<UInt8>, data: some Sequence<UInt8>) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        var length = 0
        let result = withBytes(key) { keyBytes, keyCount in
            withBytes(data) { dataBytes, dataCount in
                output.withUnsafeMutableBufferPointer { out in
                    EVP_Q_mac(nil, "HMAC", nil, "SHA256", nil, keyBytes, keyCount, dataBytes, dataCount, out.baseAddress, 32, &length)
                }
            }
        }
        guard result != nil, length == 32 else { fail("EVP_Q_mac(HMAC, SHA256)") }
        return output
    }

    /// `CRYPTO_memcmp`: whether `a` and `b` hold the same bytes, in time that depends only on their
    /// lengths. Sequences of different lengths are unequal at once.
    static func constantTimeEqual(_ a: some Sequence<UInt8>, _ b: some Sequence<UInt8>) -> Bool {
        withBytes(a) { aBytes, aCount in
            withBytes(b) { bBytes, bCount in
                aCount == bCount && CRYPTO_memcmp(aBytes, bBytes, aCount) == 0
            }
        }
    }

    /// `RAND_bytes`: `count` bytes from OpenSSL's CSPRNG (seeded from the kernel's `getrandom`).
    static func randomBytes(count: Int) -> [UInt8] {
        precondition(count >= 0, "randomBytes(count:) needs a count of at least 0, not \(count)")
        var output = [UInt8](repeating: 0, count: count)
        output.withUnsafeMutableBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                let chunk = min(buffer.count - offset, Int(Int32.max))
                guard RAND_bytes(buffer.baseAddress! + offset, Int32(chunk)) == 1 else { fail("RAND_bytes") }
                offset += chunk
            }
        }
        return output
    }

    /// Calls `body` with `bytes` in contiguous memory (copied only when the sequence has none) and
    /// their count. The pointer is never nil, even for no bytes: some OpenSSL calls refuse NULL.
    static func withBytes<R>(_ bytes: some Sequence<UInt8>, _ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
        func call(_ buffer: UnsafeBufferPointer<UInt8>) -> R {
            if let base = buffer.baseAddress, !buffer.isEmpty { return body(base, buffer.count) }
            var placeholder: UInt8 = 0
            return withUnsafePointer(to: &placeholder) { body($0, 0) }
        }
        if let result = bytes.withContiguousStorageIfAvailable(call) { return result }
        return Array(bytes).withUnsafeBufferPointer(call)
    }

    /// Empties this thread's OpenSSL error queue, after a call that may have failed on purpose
    /// (a refused key, a bad signature), so no stale error is left for the next caller.
    static func clearErrors() {
        ERR_clear_error()
    }

    /// Traps after a libcrypto failure no input can cause.
    static func fail(_ call: String) -> Never {
        let code = ERR_get_error()
        ERR_clear_error()
        fatalError("libcrypto: \(call) failed (error \(code))")
    }
}
