/// How errors become answers, in one place for the router, the runtime and replay.
public enum ErrorResponses {
    /// The answer to `error`, thrown while handling `request`: an ``HTTPResponseError``'s own
    /// answer; anything else a 500 `{"error": "internal server error"}`, which under `drover dev`
    /// (`showsDetails`) also carries `"detail"` (the error's description and Swift type, and the
    /// request), as `wrangler dev` shows the exception where the platform shows a generic page.
    /// - Returns: a JSON response.
    public static func response(for error: any Error, request: Request, showsDetails: Bool) -> Response {
        if let error = error as? any HTTPResponseError { return error.response }
        guard showsDetails else { return Response.error("internal server error", status: 500) }
        let detail = "\(error) (\(String(reflecting: type(of: error))), thrown while handling \(request.method) \(request.target); "
            + "shown by drover dev only: a deployed worker answers \"internal server error\")"
        return .json(["error": "internal server error", "detail": .string(detail)], status: 500)
    }
}
