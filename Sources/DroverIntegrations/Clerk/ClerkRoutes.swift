import Drover
import DroverIntegrationKit

/// The Clerk routes and consumer of the app (Docs/sample-app.md, "Clerk").
enum Clerk {
    static func install(on router: inout Router, queues: inout QueueRouter) {
        router.get("/api/me", ClerkAuth.requireSession(me))
        router.post("/webhooks/clerk", ClerkWebhookReceiver.receive)
        queues.on("user-sync", UserSyncConsumer.consume)
    }

    /// `GET /api/me`: `{"userId", "sessionId"}`, and `"profile"` once the user's Clerk events have
    /// been synced (and while the user is not deleted).
    @Sendable static func me(_ request: Request, env: Env, ctx: ExecutionContext, session: ClerkAuth.Session) async throws -> Response {
        var body: JSONObject = ["userId": .string(session.userID), "sessionId": session.sessionID.map(JSONValue.string) ?? .null]
        if let row = try await env.d1("DB").prepare("SELECT email, first_name, last_name FROM users WHERE id = ?1 AND deleted = 0")
            .bind(session.userID).first()
        {
            body["profile"] = [
                "email": row["email"]?.string, "firstName": row["first_name"]?.string, "lastName": row["last_name"]?.string,
            ]
        }
        return .json(.object(body))
    }
}
