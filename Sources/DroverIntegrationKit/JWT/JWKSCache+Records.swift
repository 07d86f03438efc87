import Drover

/// What ``JWKSCache`` keeps in KV, and how it reads it back. KV contents may be corrupt (a manual
/// `put`, another version's format): anything that does not read back is treated as absent and
/// logged, never trusted and never a crash.
extension JWKSCache {
    /// A key set as stored: `{"url": …, "fetchedAt": <ms since the epoch>, "jwks": <the JWKS as fetched>}`.
    struct Record {
        let keySet: JSONWebKeySet
        let fetchedAt: Int64

        /// The stored form of `jwks`, fetched from `url` at `fetchedAt`.
        static func bytes(url: String, fetchedAt: Int64, jwks: JSONValue) -> [UInt8] {
            JSONSerializer.bytes(["url": .string(url), "fetchedAt": .integer(fetchedAt), "jwks": jwks])
        }

        /// The record in `bytes`, when it is one for `url`; otherwise why not.
        static func parse(_ bytes: [UInt8], url: String) -> Result<Record, JWTError> {
            guard let json = try? JSONParser.parse(bytes), let fetchedAt = json["fetchedAt"]?.integerValue, let jwks = json["jwks"] else {
                return .failure(JWTError(.invalidKeySet, "the KV record is not {\"url\", \"fetchedAt\", \"jwks\"}"))
            }
            guard json["url"]?.stringValue == url else {
                return .failure(JWTError(.invalidKeySet, "the KV record is of another URL"))
            }
            do {
                return .success(Record(keySet: try JSONWebKeySet(jwks), fetchedAt: fetchedAt))
            } catch {
                return .failure(error)
            }
        }
    }

    /// The key set stored in KV, or nil when there is none or it does not read back.
    func readRecord() async -> Record? {
        let bytes: [UInt8]?
        do {
            bytes = try await kv.getBytes(recordKey)
        } catch {
            logger.warning("JWKS: cannot read KV key \(recordKey): \(error)", metadata: ["jwks_url": url])
            return nil
        }
        guard let bytes else { return nil }
        switch Record.parse(bytes, url: url) {
        case .success(let record): return record
        case .failure(let error):
            logger.warning("JWKS: ignoring KV key \(recordKey): \(error.detail)", metadata: ["jwks_url": url])
            return nil
        }
    }

    /// Stores `jwks`, fetched at `fetchedAt`, for time to live plus stale-if-error.
    func writeRecord(_ jwks: JSONValue, fetchedAt: Int64) async {
        let lifetime = Self.milliseconds(configuration.timeToLive).addingReportingOverflow(Self.milliseconds(configuration.staleIfError))
        let seconds = Self.secondsRoundedUp(lifetime.overflow ? Int64.max : lifetime.partialValue)
        await put(recordKey, Record.bytes(url: url, fetchedAt: fetchedAt, jwks: jwks), seconds: seconds)
    }

    /// A time in milliseconds stored under `key` (a rate-limit record), or nil when absent or not a
    /// number.
    func readTime(_ key: String) async -> Int64? {
        do {
            return try await kv.get(key).flatMap { Int64($0) }
        } catch {
            logger.warning("JWKS: cannot read KV key \(key): \(error)", metadata: ["jwks_url": url])
            return nil
        }
    }

    /// Stores the time `milliseconds` under `key` for `duration`.
    func writeTime(_ key: String, _ milliseconds: Int64, for duration: Duration) async {
        await put(key, Array(String(milliseconds).utf8), seconds: Self.secondsRoundedUp(Self.milliseconds(duration)))
    }

    /// A `put` with an expiration of `seconds`, at least KV's minimum of 60; a failure is logged: the
    /// cache works on without it, fetching more often.
    private func put(_ key: String, _ value: [UInt8], seconds: Int64) async {
        do {
            try await kv.put(key, value: value, options: KVPutOptions(expirationTtl: max(60, seconds)))
        } catch {
            logger.warning("JWKS: cannot write KV key \(key): \(error)", metadata: ["jwks_url": url])
        }
    }

    /// `milliseconds` in whole seconds, rounded up: a KV expiration never cuts a time short.
    private static func secondsRoundedUp(_ milliseconds: Int64) -> Int64 {
        milliseconds / 1000 + (milliseconds % 1000 == 0 ? 0 : 1)
    }

    /// `duration` in whole milliseconds, rounded down; 0 when negative, `Int64.max` when larger.
    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        let whole = seconds.multipliedReportingOverflow(by: 1000)
        let total = whole.partialValue.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        return whole.overflow || total.overflow ? Int64.max : total.partialValue
    }
}
