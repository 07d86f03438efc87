extension JSONWebKey {
    /// Whether `signature` is a valid `algorithm` signature of `message` under this key, as
    /// `crypto.subtle.verify`. For a JWS or JWT, `message` is the signing input
    /// `BASE64URL(header) "." BASE64URL(payload)` exactly as received, and `signature` the
    /// base64url-decoded third part.
    ///
    /// `false` — never a crash or an error — for any signature that does not verify, and also when
    /// the key cannot be used for `algorithm` (see ``canVerify(_:)``); for RS256 and PS256 when the
    /// signature is not exactly as long as the modulus (RFC 8017 §8.1.2, §8.2.2); for ES256 when it
    /// is not 64 bytes `r || s` (a DER signature, as `openssl dgst` writes, is refused). PS256
    /// requires MGF1 with SHA-256 and a salt of exactly 32 bytes (RFC 7518 §3.5).
    public func verify(signature: some Sequence<UInt8>, message: some Sequence<UInt8>, algorithm: JWSAlgorithm) -> Bool {
        guard canVerify(algorithm) else { return false }
        let signature = Array(signature)
        switch algorithm {
        case .rs256, .ps256:
            guard signature.count == publicKey.signatureSize else { return false }
            return publicKey.verifySHA256(signature: signature, message: message, padding: algorithm == .ps256 ? .pss : .pkcs1)
        case .es256:
            guard let der = OpenSSLPublicKey.derECDSASignature(raw: signature) else { return false }
            return publicKey.verifySHA256(signature: der, message: message)
        }
    }

    /// Whether this key may verify `algorithm`: its `kty` is the algorithm's, and its `alg`, when
    /// the JWK names one, is `algorithm` (RFC 7517 §4.4), so an RSA key published for PS256 never
    /// accepts an RS256 signature.
    public func canVerify(_ algorithm: JWSAlgorithm) -> Bool {
        algorithm.keyType == kty && (alg == nil || alg == algorithm)
    }
}
