import Drover

/// Cloudflare's REST API envelope, which the dashboard's API answers in wherever Cloudflare has the
/// operation: `{"success", "errors": [{"code", "message"}], "messages", "result", "result_info"}`,
/// with `result: null` on a failure. A client written against Cloudflare's API (the generated SDKs,
/// wrangler's own calls) reads a local answer the same way.
package enum CloudflareEnvelope {
    /// A successful answer carrying `result`, and `info` as `result_info` when the result is a page.
    package static func success(_ result: JSONValue, info: JSONObject? = nil, status: Int = 200) -> Response {
        var body: JSONObject = ["success": true, "errors": .array([]), "messages": .array([]), "result": result]
        if let info { body["result_info"] = .object(info) }
        return .json(.object(body), status: status, headers: noStore)
    }

    /// A refusal: `status`, and one error with Cloudflare's `code` where it has one (10009 for a KV
    /// key not found, 7404 for a D1 database, 7003 for a path with no route, 10104 for a queue).
    package static func failure(code: Int, _ message: String, status: Int) -> Response {
        .json(
            [
                "success": false, "errors": [["code": .integer(Int64(code)), "message": .string(message)]], "messages": .array([]),
                "result": .null,
            ],
            status: status,
            headers: noStore
        )
    }

    /// Answers of a local server are never cached by the browser.
    static let noStore: Headers = ["Cache-Control": "no-store"]
}

/// A refusal thrown inside an API route and answered as a ``CloudflareEnvelope/failure(code:_:status:)``.
struct ExplorerRefusal: Error {
    var code: Int
    var message: String
    var status: Int

    init(_ code: Int, _ message: String, status: Int = 400) {
        self.code = code
        self.message = message
        self.status = status
    }

    var response: Response { CloudflareEnvelope.failure(code: code, message, status: status) }

    static func notFound(_ what: String, code: Int = 7404) -> ExplorerRefusal { ExplorerRefusal(code, what, status: 404) }
}
