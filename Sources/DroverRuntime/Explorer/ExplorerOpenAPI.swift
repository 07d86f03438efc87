import Drover

/// The OpenAPI 3.1 document of ``ExplorerAPI``, served at `api/`: every route, what it takes and
/// which envelope it answers in.
enum ExplorerOpenAPI {
    static let document: JSONValue = {
        func operation(_ summary: String, _ parameters: [String] = [], body: String? = nil, raw: Bool = false) -> JSONValue {
            var object: JSONObject = ["summary": .string(summary)]
            if !parameters.isEmpty {
                object["parameters"] = .array(
                    parameters.map { name in
                        let inPath = name.hasPrefix("{")
                        let bare = inPath ? String(name.dropFirst().dropLast()) : name
                        return [
                            "name": .string(bare), "in": .string(inPath ? "path" : "query"), "required": .bool(inPath), "schema": ["type": "string"],
                        ]
                    }
                )
            }
            if let body { object["requestBody"] = ["description": .string(body), "required": true] }
            object["responses"] = [
                "200": ["description": .string(raw ? "The raw bytes" : "Cloudflare's envelope: {success, errors, messages, result, result_info}")],
                "4XX": ["description": "Cloudflare's envelope with success false and errors [{code, message}]"],
            ]
            return .object(object)
        }
        let kv = "/storage/kv/namespaces/{namespace_id}"
        let paths: [(String, JSONObject)] = [
            ("/storage/kv/namespaces", ["get": operation("List the KV namespaces (id, title, binding)")]),
            (kv + "/keys", ["get": operation("List keys", ["{namespace_id}", "prefix", "limit", "cursor"])]),
            (
                kv + "/values/{key_name}",
                [
                    "get": operation("Read a value", ["{namespace_id}", "{key_name}"], raw: true),
                    "put": operation(
                        "Write a value (the body); needs the token",
                        ["{namespace_id}", "{key_name}", "expiration", "expiration_ttl", "metadata"],
                        body: "the value's bytes"
                    ),
                    "delete": operation("Delete a key; needs the token", ["{namespace_id}", "{key_name}"]),
                ]
            ),
            (kv + "/metadata/{key_name}", ["get": operation("Read a key's metadata", ["{namespace_id}", "{key_name}"])]),
            (
                kv + "/bulk",
                [
                    "put": operation(
                        "Write many keys; needs the token",
                        ["{namespace_id}"],
                        body: "[{key, value, expiration, expiration_ttl, metadata, base64}]"
                    )
                ]
            ),
            (kv + "/bulk/delete", ["post": operation("Delete many keys; needs the token", ["{namespace_id}"], body: "[\"key\", …]")]),
            ("/d1/database", ["get": operation("List the D1 databases")]),
            ("/d1/database/{database_id}", ["get": operation("One database, with its table count and size", ["{database_id}"])]),
            ("/d1/database/{database_id}/query", ["post": operation("Run SQL; needs the token", ["{database_id}"], body: "{sql, params}")]),
            (
                "/d1/database/{database_id}/raw",
                ["post": operation("Run SQL, rows as arrays; needs the token", ["{database_id}"], body: "{sql, params}")]
            ),
            ("/d1/database/{database_id}/export", ["get": operation("The database as SQL text", ["{database_id}"], raw: true)]),
            ("/queues", ["get": operation("List the queues, with Drover's counts under local")]),
            (
                "/queues/{queue_id}",
                [
                    "get": operation("One queue", ["{queue_id}"]),
                    "patch": operation("Pause or resume delivery; needs the token", ["{queue_id}"], body: "{settings: {delivery_paused}}"),
                ]
            ),
            (
                "/queues/{queue_id}/messages",
                ["post": operation("Send a message; needs the token", ["{queue_id}"], body: "{body, content_type, delay_seconds}")]
            ),
            (
                "/queues/{queue_id}/messages/batch",
                ["post": operation("Send messages; needs the token", ["{queue_id}"], body: "{messages, delay_seconds}")]
            ),
            ("/queues/{queue_id}/purge", ["post": operation("Delete every message; needs the token", ["{queue_id}"])]),
            ("/local/overview", ["get": operation("The worker, its config, state directory, bindings (secrets by name), versions, uptime")]),
            ("/local/queues/{queue_id}/messages", ["get": operation("Peek at messages without leasing them", ["{queue_id}", "limit"])]),
            (
                "/local/queues/{queue_id}/messages/{message_id}",
                ["delete": operation("Acknowledge one message; needs the token", ["{queue_id}", "{message_id}"])]
            ),
            ("/local/kv/{namespace_id}/export", ["get": operation("Every key in wrangler's bulk JSON", ["{namespace_id}"])]),
            ("/local/d1/{database_id}/migrations", ["get": operation("The migrations applied and pending", ["{database_id}"])]),
            ("/local/dead-letters", ["get": operation("Every dead letter of every dead-letter queue")]),
            ("/local/dead-letters/{queue}", ["get": operation("The dead letters of a queue or dead-letter queue", ["{queue}"])]),
            ("/local/dead-letters/{queue}/replay", ["post": operation("Replay them all to their source; needs the token", ["{queue}"])]),
            (
                "/local/dead-letters/{queue}/{message_id}/replay",
                [
                    "post": operation(
                        "Replay one, optionally edited; needs the token",
                        ["{queue}", "{message_id}"],
                        body: "{body, content_type} or empty"
                    )
                ]
            ),
            ("/workers/durable_objects/namespaces", ["get": operation("List the Durable Object namespaces (id: the binding, class, use_sqlite)")]),
            (
                "/workers/durable_objects/namespaces/{namespace_id}/objects",
                ["get": operation("List a namespace's objects (id, hasStoredData, and Drover's name and alarm)", ["{namespace_id}"])]
            ),
            (
                "/local/durable-objects/{namespace_id}/{object}",
                ["get": operation("One object (a name or a 64-hex id): its entries, alarm, tables, size", ["{namespace_id}", "{object}"])]
            ),
            (
                "/local/durable-objects/{namespace_id}/{object}/sql",
                ["post": operation("Run SQL in the object's storage; needs the token", ["{namespace_id}", "{object}"], body: "{sql}")]
            ),
            (
                "/local/durable-objects/{namespace_id}/{object}/storage/{key}",
                [
                    "put": operation("Put a JSON value under a key; needs the token", ["{namespace_id}", "{object}", "{key}"], body: "the value, JSON"),
                    "delete": operation("Delete a key; needs the token", ["{namespace_id}", "{object}", "{key}"]),
                ]
            ),
            (
                "/local/durable-objects/{namespace_id}/{object}/alarm/run",
                ["post": operation("Run the object's alarm now; needs the token", ["{namespace_id}", "{object}"])]
            ),
            ("/local/cron", ["get": operation("The cron triggers and their next fire times")]),
            ("/local/cron/run", ["post": operation("Run a cron trigger now; needs the token", body: "{cron}")]),
            ("/local/versions", ["get": operation("Versions (with their configs), deployments, the active one")]),
            ("/local/versions/rollback", ["post": operation("Roll back; needs the token", body: "{version, message}")]),
            ("/local/metrics", ["get": operation("Requests by status class, latency percentiles, queue outcomes, cron runs")]),
            ("/local/tail", ["get": operation("The live tail as server-sent events", raw: true)]),
            ("/local/fixtures", ["get": operation("The fixtures drover dev --record wrote")]),
            ("/local/fixtures/{name}", ["get": operation("One fixture", ["{name}"])]),
            (
                "/local/fixtures/{name}/replay",
                ["post": operation("Replay one fixture: passed, and the report with its diffs; needs the token", ["{name}"])]
            ),
        ]
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Drover local explorer API", "version": "1",
                "description": """
                Cloudflare's REST API paths without /accounts/{account_id}, in Cloudflare's envelope, for the bindings of the \
                worker drover dev serves; local/… for what only Drover has. Requests that change state carry the \
                X-Drover-Explorer-Token header the dashboard's pages hold; requests a page of another site makes are refused.
                """,
            ],
            "servers": [["url": "/cdn-cgi/explorer/api"]],
            "paths": .object(JSONObject(paths.map { ($0.0, JSONValue.object($0.1)) })),
        ]
    }()
}
