import Drover
import DroverIntegrationKit

/// The `emails` consumer, and the `emails-dlq` consumer that keeps what it gave up on.
///
/// For each message: the template is read from `TEMPLATES` and rendered with the message's data,
/// then sent through ``EmailProvider`` with `Authorization: Bearer {EMAIL_API_KEY}` and
/// `Idempotency-Key: <message id>` (a retried or replayed message is never sent twice):
///
/// | outcome | what happens | `email_log.status` |
/// |---|---|---|
/// | 2xx | acknowledged | `sent` |
/// | 401 | sent once more with `EMAIL_API_KEY_OLD` (a key being rotated); that answer decides | |
/// | 429, 408, 5xx, a timeout, a lost connection, an open circuit, the worker's configuration wrong | retried by the queue after the `Retry-After` asked for, else 30 s doubling (at most an hour) | `failed` (until a later attempt) |
/// | any other 4xx; a template gone or unusable | acknowledged: retrying cannot help | `failed` |
/// | out of retries (`max_retries = 3`) | the queue moves it to `emails-dlq`, whose consumer keeps it in `email_dead_letters` | `dead` |
///
/// Every attempt updates the message's `email_log` row (`attempts`, `last_error`), so the log shows
/// each outcome as it happens. Each message is handled on its own: one failing never holds up the
/// others of its batch.
enum EmailConsumer {
    static func consume(_ batch: MessageBatch, env: Env, ctx: ExecutionContext) async throws {
        let log = EmailLog(database: try env.d1("DB"), clock: env.clock)
        for message in batch.messages {
            let email: EmailMessage
            do {
                email = try EmailMessage(message.body)
            } catch {
                ctx.logger.error("emails message \(message.id): \(error)")
                message.retry(delaySeconds: retryDelay(afterAttempt: message.attempts, asked: nil))
                continue
            }
            switch await deliver(email, env: env, ctx: ctx) {
            case .sent(let providerID):
                try await log.record(email, status: "sent", error: nil, providerID: providerID)
                ctx.logger.info("email \(email.id) (template \(email.template)) sent on attempt \(message.attempts)")
                message.ack()
            case .permanent(let reason):
                try await log.record(email, status: "failed", error: reason, providerID: nil)
                ctx.logger.error("email \(email.id) failed for good: \(reason)")
                message.ack()
            case .transient(let reason, let asked):
                try await log.record(email, status: "failed", error: reason, providerID: nil)
                let delay = retryDelay(afterAttempt: message.attempts, asked: asked)
                ctx.logger.warning("email \(email.id), attempt \(message.attempts): \(reason); retrying in \(delay) s")
                message.retry(delaySeconds: delay)
            }
        }
    }

    /// The `emails-dlq` consumer: each dead letter is kept in `email_dead_letters` (for
    /// `GET /api/email/dlq` and its replay) and its log row marked `dead`.
    static func consumeDeadLetters(_ batch: MessageBatch, env: Env, ctx: ExecutionContext) async throws {
        let log = EmailLog(database: try env.d1("DB"), clock: env.clock)
        for message in batch.messages {
            guard let email = try? EmailMessage(message.body) else {
                ctx.logger.error("emails-dlq message \(message.id) is not an email; dropped")
                message.ack()
                continue
            }
            try await log.keepDeadLetter(email)
            ctx.logger.error("email \(email.id) dead-lettered after its retries")
            message.ack()
        }
    }

    /// How a delivery ended.
    enum Outcome: Sendable {
        case sent(providerID: String?)
        case permanent(String)
        /// Worth another try, after the wait the provider asked for when it did.
        case transient(String, retryAfter: Duration?)
    }

    /// Renders and sends `email`.
    static func deliver(_ email: EmailMessage, env: Env, ctx: ExecutionContext) async -> Outcome {
        let rendered: (subject: String, text: String?, html: String?)
        do {
            guard let stored = try await env.kv("TEMPLATES").get("template:\(email.template)") else {
                return .permanent("template \(email.template) is not in TEMPLATES")
            }
            rendered = try EmailTemplate(name: email.template, value: stored).render(email.data)
        } catch let error as EmailTemplateError {
            return .permanent(error.description)
        } catch {
            return .transient("TEMPLATES could not be read: \(error)", retryAfter: nil)
        }
        let body: JSONValue = [
            "from": .string(env.vars["EMAIL_FROM"] ?? ""), "to": [.string(email.to)], "subject": .string(rendered.subject),
            "text": rendered.text.map(JSONValue.string), "html": rendered.html.map(JSONValue.string),
        ]
        do {
            let client = try Integrations.client(env: env, ctx: ctx)
            let url = env.vars["EMAIL_API_URL"] ?? ""
            var answer = try await client.call(EmailProvider(), EmailProvider.Send(url: url, apiKey: try env.secret("EMAIL_API_KEY"), messageID: email.id, body: body))
            if answer.status == 401, let old = try? env.secret("EMAIL_API_KEY_OLD"), !old.isEmpty {
                ctx.logger.warning("email \(email.id): EMAIL_API_KEY was refused (401); trying EMAIL_API_KEY_OLD (a key rotation under way?)")
                answer = try await client.call(EmailProvider(), EmailProvider.Send(url: url, apiKey: old, messageID: email.id, body: body))
            }
            switch answer.status {
            case 200..<300:
                return .sent(providerID: answer.providerID)
            case 408, 429, 500...599:
                return .transient("the provider answered \(answer.status)", retryAfter: answer.retryAfter.flatMap { RetryAfter.delay($0, now: env.clock.now()) })
            default:
                return .permanent("the provider answered \(answer.status)")
            }
        } catch let error as AdapterError {
            // The worker's own configuration (EMAIL_API_URL, EMAIL_API_KEY): not the email's
            // fault, so it is retried, and once dead-lettered it can be replayed after the fix.
            return .transient(error.description, retryAfter: nil)
        } catch let error as ResilienceError {
            return .transient("\(error.code)", retryAfter: error.retryAfter)
        } catch let error as FetchError {
            return .transient("the provider could not be reached (\(error.kind.rawValue))", retryAfter: nil)
        } catch {
            return .transient("\(error)", retryAfter: nil)
        }
    }

    /// The queue's delay before the next attempt, in seconds: what the provider asked for, else 30 s
    /// doubling with each attempt; at least 1 s, at most an hour.
    static func retryDelay(afterAttempt attempt: Int, asked: Duration?) -> Int {
        if let asked {
            let seconds = asked.components.seconds + (asked.components.attoseconds > 0 ? 1 : 0)
            return Int(min(max(seconds, 1), 3_600))
        }
        return min(3_600, 30 << min(max(attempt - 1, 0), 7))
    }
}
