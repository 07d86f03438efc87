import Synchronization

/// Secret values to keep out of printed text: each replaced by `[secret NAME]`, the longest first
/// (a secret that contains another is replaced whole), found as the recorder finds them — raw,
/// percent- or JSON-escaped, or inside base64 (``SecretRedactor``). Values shorter than
/// ``minimumLength`` are left alone: replacing every `"1"` in every line would hide more than it
/// protects.
public struct SecretRedaction: Sendable {
    /// Values shorter than this many bytes are not searched for.
    public static let minimumLength = 4

    private let redactor: SecretRedactor

    /// Hides `values`: secret names and their values.
    public init(_ values: [String: String] = [:]) {
        redactor = SecretRedactor(secrets: values.filter { $0.value.utf8.count >= Self.minimumLength }) { "[secret \($0)]" }
    }

    /// Whether there is nothing to hide.
    public var isEmpty: Bool { redactor.isEmpty }

    /// `text` with every secret value replaced by `[secret NAME]`.
    public func redact(_ text: String) -> String {
        redactor.redact(text)
    }
}

/// A sink that writes each record to another with every secret value it knows replaced by
/// `[secret NAME]` (``SecretRedaction``) — in the message and in every metadata value — so a
/// handler that logs a secret by mistake (a URL with a key in it, a header echoed back) does not
/// print it. The secrets can change while records flow (`drover dev` reloads `.dev.vars`):
/// ``update(_:)`` replaces them.
public final class RedactingLogSink: LogSink {
    private let base: any LogSink
    private let redaction = Mutex(SecretRedaction())

    /// A sink that writes to `base`.
    public init(_ base: any LogSink) {
        self.base = base
    }

    /// Replaces the secrets to hide: their names and values.
    public func update(_ values: [String: String]) {
        let redaction = SecretRedaction(values)
        self.redaction.withLock { $0 = redaction }
    }

    public func write(_ record: LogRecord) {
        let redaction = self.redaction.withLock { $0 }
        guard !redaction.isEmpty else { return base.write(record) }
        var record = record
        record.message = redaction.redact(record.message)
        var metadata = record.explicitMetadata
        var changed = false
        for (key, value) in metadata {
            let redacted = redaction.redact(value)
            if redacted != value {
                metadata[key] = redacted
                changed = true
            }
        }
        if changed { record.explicitMetadata = metadata }
        base.write(record)
    }
}
