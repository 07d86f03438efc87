import Drover

/// Sends a webhook a fake has just signed to the app, when the caller asks with `"deliverTo"`: the
/// whole exchange is then one `curl` in a walkthrough. Only this machine's addresses are accepted
/// (`http://localhost…`, `127.0.0.1`, `[::1]`, `*.localhost`): a fake must not be a way to send
/// signed requests anywhere else.
enum FakeDelivery {
    /// The JSON answer of a webhook maker: the signed `body` and `headers`, and — when `target` is
    /// given — what the app answered, as `delivered: {"status", "body"}`.
    static func answer(body: String, headers: [(String, String)], deliverTo target: String?, env: Env) async throws -> Response {
        var answer: JSONObject = [
            "body": .string(body), "headers": .object(JSONObject(headers.map { ($0.0, JSONValue.string($0.1)) })),
        ]
        if let target {
            guard isLocal(target) else {
                throw HTTPError(400, "deliverTo must be an http URL on this machine (localhost, 127.0.0.1, [::1] or a .localhost name)")
            }
            var fields = Headers(headers)
            fields.set("Content-Type", "application/json")
            let response = try await env.fetch.fetch(try Request(url: target, method: "POST", headers: fields, body: Body(text: body)))
            let text = String(decoding: try await response.body.bytes(limit: 64 * 1024), as: UTF8.self)
            answer["delivered"] = ["status": .integer(Int64(response.status)), "body": .string(text)]
        }
        return .json(.object(answer))
    }

    /// Whether `url` is plain http on a loopback name.
    static func isLocal(_ url: String) -> Bool {
        guard url.hasPrefix("http://") else { return false }
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.contains("@") else { return false }
        let host: Substring
        if authority.hasPrefix("[") {
            host = authority.prefix { $0 != "]" }.dropFirst()
            return host == "::1"
        } else {
            host = authority.prefix { $0 != ":" }
        }
        let name = host.lowercased()
        return name == "localhost" || name == "127.0.0.1" || name.hasSuffix(".localhost")
    }
}
