extension D1Value: JSONValueConvertible {
    /// The value as D1 returns it in JSON: numbers, strings, `null`, and a blob as an array of byte
    /// numbers (as D1's results carry `ArrayBuffer`s over JSON).
    public var jsonValue: JSONValue {
        switch self {
        case .null: .null
        case .integer(let integer): .integer(integer)
        case .real(let double): .double(double)
        case .text(let text): .string(text)
        case .blob(let bytes): .array(bytes.map { .integer(Int64($0)) })
        }
    }
}

extension D1Row: JSONValueConvertible {
    /// The row as a JavaScript object: keys in column order; a repeated name keeps its first
    /// position and its last value, as JavaScript object construction does.
    public var jsonValue: JSONValue {
        var object = JSONObject()
        for (column, value) in zip(columns, values) { object[column] = value.jsonValue }
        return .object(object)
    }
}

extension D1Meta: JSONValueConvertible {
    /// D1's `meta` object, members in the order of the documentation's example: `served_by`,
    /// `served_by_region`, `served_by_primary`, `timings: {sql_duration_ms}`, `duration`, `changes`,
    /// `last_row_id`, `changed_db`, `size_after`, `rows_read`, `rows_written`
    /// (https://developers.cloudflare.com/d1/worker-api/return-object/).
    public var jsonValue: JSONValue {
        .object(
            JSONObject([
                ("served_by", .string(servedBy)),
                ("served_by_region", .string(servedByRegion)),
                ("served_by_primary", .bool(servedByPrimary)),
                ("timings", .object(JSONObject([("sql_duration_ms", .double(sqlDuration))]))),
                ("duration", .double(duration)),
                ("changes", .integer(changes)),
                ("last_row_id", .integer(lastRowId)),
                ("changed_db", .bool(changedDB)),
                ("size_after", .integer(sizeAfter)),
                ("rows_read", .integer(rowsRead)),
                ("rows_written", .integer(rowsWritten)),
            ])
        )
    }
}

extension D1Result: JSONValueConvertible {
    /// The exact D1 result object: `{"results": [...], "success": true, "meta": {...}}`.
    public var jsonValue: JSONValue {
        .object(
            JSONObject([
                ("results", .array(results.map(\.jsonValue))),
                ("success", .bool(success)),
                ("meta", meta.jsonValue),
            ])
        )
    }

    /// Results as `wrangler d1 execute --json` prints them: an array of result objects.
    public static func jsonArray(_ results: [D1Result]) -> JSONValue {
        .array(results.map(\.jsonValue))
    }
}
