import Drover

/// Makes and checks the ids of one namespace the way workerd's local runtime does
/// (`ActorIdFactoryImpl` in `src/workerd/server/server.c++`): an id is 32 bytes, shown as 64 hex
/// digits; the first 16 are the HMAC-SHA256 of the name under the namespace's key (or random, for
/// `newUniqueId`), the last 16 the HMAC of the first 16 — so `idFromString` can tell an id of this
/// namespace from any other string of 64 hex digits.
///
/// The key is the SHA-256 of the namespace's unique key, `<script>-<class>` as Miniflare names it,
/// so the same name gives the same id in every run and on every machine.
struct ObjectIDFactory: Sendable {
    private static let baseLength = 16
    private let key: [UInt8]

    /// The factory of the namespace `uniqueKey`.
    init(uniqueKey: String) {
        key = Crypto.sha256(Array(uniqueKey.utf8))
    }

    func idFromName(_ name: String) -> DurableObjectId {
        let base = Array(Crypto.hmacSHA256(key: key, data: Array(name.utf8)).prefix(Self.baseLength))
        return DurableObjectId(hex: Hex.encode(base + mac(base)), name: name)
    }

    func newUniqueId() -> DurableObjectId {
        let base = Crypto.randomBytes(count: Self.baseLength)
        return DurableObjectId(hex: Hex.encode(base + mac(base)))
    }

    func idFromString(_ string: String) throws(DurableObjectError) -> DurableObjectId {
        guard string.utf8.count == 64, let bytes = Hex.decode(string), bytes.count == 32 else {
            throw DurableObjectError(Messages.invalidID)
        }
        guard isOurs(bytes) else { throw DurableObjectError(Messages.foreignID) }
        return DurableObjectId(hex: Hex.encode(bytes))
    }

    private func isOurs(_ bytes: [UInt8]) -> Bool {
        Crypto.timingSafeEqual(mac(Array(bytes.prefix(Self.baseLength))), bytes.suffix(Self.baseLength))
    }

    /// The second half of an id whose first half is `base`.
    private func mac(_ base: [UInt8]) -> [UInt8] {
        Array(Crypto.hmacSHA256(key: key, data: base).prefix(Self.baseLength))
    }

    enum Messages {
        static let invalidID = "Invalid Durable Object ID: must be 64 hex digits"
        static let foreignID = "Durable Object ID is not valid for this namespace."
    }
}
