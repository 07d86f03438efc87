import Synchronization

/// A sink that writes each record to another with every secret value it knows replaced by
/// `[secret NAME]` — in the message and in every metadata value — so a handler that logs a
/// secret by mistake (a URL with a key in it, a header echoed back) does not print it.
///
/// The secrets can change while records flow (`drover dev` reloads `.dev.vars`): ``update(_:)``
/// replaces them. Values shorter than ``minimumLength`` are left alone: replacing every `"1"` in
/// every line would hide more than it protects.
public final class RedactingLogSink: LogSink {
    /// Values shorter than this many bytes are not searched for.
    public static let minimumLength = 4

    private let base: any LogSink
    private let secrets = Mutex<[(name: String, value: String)]>([])

    /// A sink that writes to `base`.
    public init(_ base: any LogSink) {
        self.base = base
    }

    /// Replaces the secrets to hide: their names and values.
    public func update(_ values: [String: String]) {
        let list = values.filter { $0.value.utf8.count >= Self.minimumLength }.map { (name: $0.key, value: $0.value) }
            // The longest first: a secret that contains another is replaced whole.
            .sorted { $0.value.utf8.count > $1.value.utf8.count }
        secrets.withLock { $0 = list }
    }

    /// `text` with every secret value replaced by `[secret NAME]`.
    public func redact(_ text: String) -> String {
        let list = secrets.withLock { $0 }
        return list.isEmpty ? text : Self.redact(text, list)
    }

    public func write(_ record: LogRecord) {
        let list = secrets.withLock { $0 }
        guard !list.isEmpty else { return base.write(record) }
        var record = record
        record.message = Self.redact(record.message, list)
        var metadata = record.explicitMetadata
        var changed = false
        for (key, value) in metadata {
            let redacted = Self.redact(value, list)
            if redacted != value {
                metadata[key] = redacted
                changed = true
            }
        }
        if changed { record.explicitMetadata = metadata }
        base.write(record)
    }

    /// `text` with each of `secrets` replaced by `[secret NAME]`.
    static func redact(_ text: String, _ secrets: [(name: String, value: String)]) -> String {
        var text = text
        for secret in secrets where text.contains(secret.value) {
            text = text.replacing(secret.value, with: "[secret \(secret.name)]")
        }
        return text
    }
}
