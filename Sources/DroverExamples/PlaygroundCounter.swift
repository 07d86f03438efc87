import Drover

/// The playground's Durable Object (Docs/playground.md): a counter that keeps `count` and
/// `alarms` in its storage; its alarm adds one to `alarms`.
///
/// Bound as `COUNTER` by `[[durable_objects.bindings]]`, created by `[[migrations]]`
/// `new_sqlite_classes = ["Counter"]`, registered as `Counter`.
package actor PlaygroundCounter: DurableObject {
    private let ctx: DurableObjectState

    package init(ctx: DurableObjectState, env: Env) {
        self.ctx = ctx
    }

    /// Reads `count`, adds one and writes it back: no `await` in between, so concurrent calls
    /// cannot interleave (each one's read sees the write before it).
    package func increment() throws -> Int64 {
        let count = (try ctx.storage.get("count")?.integerValue ?? 0) + 1
        try ctx.storage.put("count", .integer(count))
        return count
    }

    /// `{"count", "alarms", "alarm", "id"}`.
    package func state() throws -> JSONValue {
        [
            "count": try ctx.storage.get("count")?.integerValue ?? 0,
            "alarms": try ctx.storage.get("alarms")?.integerValue ?? 0,
            "alarm": try ctx.storage.getAlarm().map(JSONValue.integer) ?? .null,
            "id": ctx.id.hex,
        ]
    }

    /// Sets the alarm `milliseconds` from now.
    package func setAlarm(in milliseconds: Int64, now: Int64) throws -> Int64 {
        let time = now + milliseconds
        try ctx.storage.setAlarm(time)
        return try ctx.storage.getAlarm() ?? time
    }

    /// Every row of `sql` run with `params`.
    package func query(_ sql: String, _ params: [SqlStorageValue]) throws -> [JSONValue] {
        try ctx.storage.sql.exec(sql, params).map(\.jsonValue)
    }

    package func alarm(_ info: AlarmInvocationInfo) throws {
        let alarms = (try ctx.storage.get("alarms")?.integerValue ?? 0) + 1
        try ctx.storage.put("alarms", .integer(alarms))
    }
}
