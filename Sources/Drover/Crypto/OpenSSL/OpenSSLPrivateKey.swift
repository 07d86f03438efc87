import CCrypto

/// A libcrypto RSA private key (`EVP_PKEY`), for signing; freed with the last value holding it.
///
/// Never modified after it is made or read, and each signature has its own context: shared
/// between threads, hence `@unchecked Sendable`.
final class OpenSSLPrivateKey: @unchecked Sendable {
    private let key: OpaquePointer

    private init(_ key: OpaquePointer) {
        self.key = key
    }

    deinit {
        EVP_PKEY_free(key)
    }

    /// A new RSA key of `bits` bits, public exponent 65537 (`EVP_PKEY_generate`).
    static func generateRSA(bits: Int) -> OpenSSLPrivateKey {
        defer { OpenSSL.clearErrors() }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "RSA", nil) else { OpenSSL.fail("EVP_PKEY_CTX_new_from_name") }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_CTX_set_rsa_keygen_bits(context, Int32(bits)) == 1 else {
            OpenSSL.fail("EVP_PKEY_keygen_init")
        }
        var key: OpaquePointer?
        guard EVP_PKEY_generate(context, &key) == 1, let key else { OpenSSL.fail("EVP_PKEY_generate") }
        return OpenSSLPrivateKey(key)
    }

    /// The RSA private key in `pem` (PKCS #8 `PRIVATE KEY` or PKCS #1 `RSA PRIVATE KEY`, no
    /// passphrase); nil for anything else.
    static func rsa(pem: String) -> OpenSSLPrivateKey? {
        defer { OpenSSL.clearErrors() }
        let bytes = Array(pem.utf8)
        guard !bytes.isEmpty, bytes.count <= 64 * 1024 else { return nil }
        let key: OpaquePointer? = bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { OpenSSL.fail("BIO_new_mem_buf") }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
        guard let key else { return nil }
        guard EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA else {
            EVP_PKEY_free(key)
            return nil
        }
        return OpenSSLPrivateKey(key)
    }

    /// The key as unencrypted PKCS #8 PEM (`-----BEGIN PRIVATE KEY-----`).
    var pem: String {
        defer { OpenSSL.clearErrors() }
        guard let bio = BIO_new(BIO_s_mem()) else { OpenSSL.fail("BIO_new") }
        defer { BIO_free(bio) }
        guard PEM_write_bio_PrivateKey(bio, key, nil, nil, 0, nil, nil) == 1 else { OpenSSL.fail("PEM_write_bio_PrivateKey") }
        var data: UnsafeMutablePointer<CChar>?
        let length = ccrypto_bio_mem_data(bio, &data)
        guard length > 0, let data else { OpenSSL.fail("BIO_get_mem_data") }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }

    /// The modulus and public exponent, unsigned big-endian.
    var rsaPublicNumbers: (modulus: [UInt8], exponent: [UInt8]) {
        (bigNumber(CCRYPTO_PARAM_RSA_N), bigNumber(CCRYPTO_PARAM_RSA_E))
    }

    /// The size of a signature, in bytes.
    var signatureSize: Int { Int(EVP_PKEY_get_size(key)) }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message` (`EVP_DigestSign`): RS256.
    func signSHA256(_ message: some Sequence<UInt8>) -> [UInt8] {
        defer { OpenSSL.clearErrors() }
        guard let context = EVP_MD_CTX_new() else { OpenSSL.fail("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1 else { OpenSSL.fail("EVP_DigestSignInit") }
        var signature = [UInt8](repeating: 0, count: signatureSize)
        var length = signature.count
        let status = OpenSSL.withBytes(message) { bytes, count in
            signature.withUnsafeMutableBufferPointer { EVP_DigestSign(context, $0.baseAddress, &length, bytes, count) }
        }
        guard status == 1 else { OpenSSL.fail("EVP_DigestSign") }
        return Array(signature.prefix(length))
    }

    /// The big-number parameter `name` of the key, unsigned big-endian.
    private func bigNumber(_ name: UnsafePointer<CChar>) -> [UInt8] {
        var number: OpaquePointer?
        guard EVP_PKEY_get_bn_param(key, name, &number) == 1, let number else { OpenSSL.fail("EVP_PKEY_get_bn_param") }
        defer { BN_free(number) }
        var bytes = [UInt8](repeating: 0, count: Int((BN_num_bits(number) + 7) / 8))
        _ = bytes.withUnsafeMutableBufferPointer { BN_bn2bin(number, $0.baseAddress) }
        return bytes
    }
}
