import CCrypto
import Synchronization

/// A libcrypto public key (`EVP_PKEY`), built once from a JWK's numbers and freed with the last
/// ``JSONWebKey`` that holds it.
///
/// `EVP_PKEY` is safe to share between threads for verification (it is never modified after
/// `EVP_PKEY_fromdata`; each verification has its own `EVP_MD_CTX`, copied under a lock from the
/// key's initialised one), hence `@unchecked Sendable`.
final class OpenSSLPublicKey: @unchecked Sendable {
    /// How an RSA signature is padded.
    enum RSAPadding {
        /// RSASSA-PKCS1-v1_5 (RS256).
        case pkcs1
        /// RSASSA-PSS with MGF1-SHA-256 and a 32-byte salt (PS256, RFC 7518 §3.5).
        case pss
    }

    private let key: OpaquePointer
    /// A verification context already initialised for this key, per padding (`nil`: ECDSA), made at
    /// the first verification: `EVP_DigestVerifyInit` looks the algorithms up in libcrypto's
    /// providers, a few microseconds each time, while copying a ready context
    /// (`EVP_MD_CTX_copy_ex`) is a fraction of that.
    private let templates = Mutex(Templates())

    /// The contexts made so far, one slot per padding: read for every verification, so a switch
    /// rather than a dictionary's hashing.
    private struct Templates {
        var pkcs1: VerifyContext?
        var pss: VerifyContext?
        var ecdsa: VerifyContext?

        subscript(padding: RSAPadding?) -> VerifyContext? {
            get {
                switch padding {
                case .pkcs1: pkcs1
                case .pss: pss
                case nil: ecdsa
                }
            }
            set {
                switch padding {
                case .pkcs1: pkcs1 = newValue
                case .pss: pss = newValue
                case nil: ecdsa = newValue
                }
            }
        }
    }

    private init(_ key: OpaquePointer) {
        self.key = key
    }

    deinit {
        EVP_PKEY_free(key)
    }

    /// An `EVP_MD_CTX`, freed with the value. Only used under ``templates``' lock or by one caller.
    private final class VerifyContext: @unchecked Sendable {
        let pointer: OpaquePointer

        init(_ pointer: OpaquePointer) {
            self.pointer = pointer
        }

        deinit {
            EVP_MD_CTX_free(pointer)
        }
    }

    /// An RSA key from its modulus and exponent, unsigned big-endian; their ranges are checked by
    /// the caller. Nil when libcrypto refuses them.
    static func rsa(modulus: [UInt8], exponent: [UInt8]) -> OpenSSLPublicKey? {
        guard let n = bigNumber(modulus) else { return nil }
        defer { BN_free(n) }
        guard let e = bigNumber(exponent) else { return nil }
        defer { BN_free(e) }
        return fromData(type: "RSA") { builder in
            OSSL_PARAM_BLD_push_BN(builder, CCRYPTO_PARAM_RSA_N, n) == 1
                && OSSL_PARAM_BLD_push_BN(builder, CCRYPTO_PARAM_RSA_E, e) == 1
        }
    }

    /// A P-256 key from its affine coordinates (32 bytes each), as the uncompressed point
    /// `04 || x || y`. Nil unless the point is on the curve with coordinates below the field prime:
    /// `EVP_PKEY_fromdata` decodes the point (`EC_POINT_oct2point` checks both), and
    /// `EVP_PKEY_public_check` checks it again, with its order.
    static func p256(x: [UInt8], y: [UInt8]) -> OpenSSLPublicKey? {
        guard x.count == 32, y.count == 32 else { return nil }
        let point: [UInt8] = [0x04] + x + y
        let key = point.withUnsafeBufferPointer { point in
            fromData(type: "EC") { builder in
                OSSL_PARAM_BLD_push_utf8_string(builder, CCRYPTO_PARAM_GROUP_NAME, CCRYPTO_GROUP_P256, 0) == 1
                    && OSSL_PARAM_BLD_push_octet_string(builder, CCRYPTO_PARAM_PUB_KEY, point.baseAddress, point.count) == 1
            }
        }
        guard let key, key.passesPublicCheck() else { return nil }
        return key
    }

    /// The size of a signature under this key, in bytes (`EVP_PKEY_get_size`): the modulus length
    /// for RSA.
    var signatureSize: Int {
        Int(EVP_PKEY_get_size(key))
    }

    /// `EVP_DigestVerify` with SHA-256: whether `signature` (RSA: exactly the modulus length;
    /// ECDSA: DER) signs `message`.
    func verifySHA256(signature: [UInt8], message: some Sequence<UInt8>, padding: RSAPadding? = nil) -> Bool {
        guard let context = EVP_MD_CTX_new() else { OpenSSL.fail("EVP_MD_CTX_new") }
        defer {
            EVP_MD_CTX_free(context)
            OpenSSL.clearErrors()
        }
        let copied = templates.withLock { templates -> Bool in
            let template: VerifyContext
            if let made = templates[padding] {
                template = made
            } else {
                guard let made = makeVerifyContext(padding: padding) else { return false }
                templates[padding] = made
                template = made
            }
            return EVP_MD_CTX_copy_ex(context, template.pointer) == 1
        }
        guard copied else { return false }
        return OpenSSL.withBytes(signature) { signatureBytes, signatureCount in
            OpenSSL.withBytes(message) { messageBytes, messageCount in
                EVP_DigestVerify(context, signatureBytes, signatureCount, messageBytes, messageCount) == 1
            }
        }
    }

    /// A context initialised to verify SHA-256 signatures under this key with `padding`; nil when
    /// libcrypto refuses (the key cannot do it).
    private func makeVerifyContext(padding: RSAPadding?) -> VerifyContext? {
        guard let context = EVP_MD_CTX_new() else { OpenSSL.fail("EVP_MD_CTX_new") }
        let template = VerifyContext(context)
        var keyContext: OpaquePointer? = nil  // owned by `context`
        guard EVP_DigestVerifyInit(context, &keyContext, EVP_sha256(), nil, key) == 1 else { return nil }
        if padding == .pss {
            guard EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING) == 1,
                EVP_PKEY_CTX_set_rsa_mgf1_md(keyContext, EVP_sha256()) == 1,
                EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, 32) == 1
            else { return nil }
        }
        return template
    }

    /// The DER `ECDSA-Sig-Value` for a JOSE signature `r || s` (RFC 7518 §3.4), 32 bytes each,
    /// built with `ECDSA_SIG_set0` and `i2d_ECDSA_SIG`. Nil when `raw` is not 64 bytes.
    static func derECDSASignature(raw: [UInt8]) -> [UInt8]? {
        guard raw.count == 64 else { return nil }
        guard let signature = ECDSA_SIG_new() else { OpenSSL.fail("ECDSA_SIG_new") }
        defer { ECDSA_SIG_free(signature) }
        guard let r = bigNumber(raw[0..<32]) else { return nil }
        guard let s = bigNumber(raw[32..<64]) else {
            BN_free(r)
            return nil
        }
        guard ECDSA_SIG_set0(signature, r, s) == 1 else {  // on success `signature` owns r and s
            BN_free(r)
            BN_free(s)
            return nil
        }
        let length = i2d_ECDSA_SIG(signature, nil)
        guard length > 0 else { return nil }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return i2d_ECDSA_SIG(signature, &cursor)
        }
        return written == length ? der : nil
    }

    /// `BN_bin2bn`: an unsigned big-endian number; the caller frees it.
    private static func bigNumber(_ bytes: some Collection<UInt8>) -> OpaquePointer? {
        guard bytes.count <= Int(Int32.max) else { return nil }
        return OpenSSL.withBytes(bytes) { BN_bin2bn($0, Int32($1), nil) }
    }

    /// `EVP_PKEY_fromdata` of a public key of `type` ("RSA", "EC") from the parameters `push`
    /// adds to an `OSSL_PARAM_BLD`. The builder keeps pointers until `OSSL_PARAM_BLD_to_param`, so
    /// names are `CCrypto`'s constant C strings and values must outlive this call. Every object
    /// made on the way is freed on every path.
    private static func fromData(type: String, push: (OpaquePointer) -> Bool) -> OpenSSLPublicKey? {
        defer { OpenSSL.clearErrors() }
        guard let builder = OSSL_PARAM_BLD_new() else { OpenSSL.fail("OSSL_PARAM_BLD_new") }
        defer { OSSL_PARAM_BLD_free(builder) }
        guard push(builder), let parameters = OSSL_PARAM_BLD_to_param(builder) else { return nil }
        defer { OSSL_PARAM_free(parameters) }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, type, nil) else { return nil }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer? = nil
        guard EVP_PKEY_fromdata_init(context) == 1,
            EVP_PKEY_fromdata(context, &key, CCRYPTO_EVP_PKEY_PUBLIC_KEY, parameters) == 1,
            let key
        else { return nil }
        return OpenSSLPublicKey(key)
    }

    /// `EVP_PKEY_public_check`: libcrypto's full validation of a public key.
    private func passesPublicCheck() -> Bool {
        defer { OpenSSL.clearErrors() }
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, key, nil) else { return false }
        defer { EVP_PKEY_CTX_free(context) }
        return EVP_PKEY_public_check(context) == 1
    }
}
