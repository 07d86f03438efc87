import Drover
import Foundation
import Synchronization

/// The events `drover tail` streams from a running `drover dev`: one JSON object per line,
///
/// - `{"type": "request", "timestamp", "worker", "version", "trace", "method", "url", "status", "outcome", "durationMs"}`
///   for each request the worker answered (`outcome` `ok`, or `error` for a 5xx);
/// - `{"type": "log", "timestamp", "level", "label", "message", "worker", "version", "trace"}` for
///   each log line — the handlers' own (`label` `worker`) and the runtime's;
/// - `{"type": "queue", "timestamp", "worker", "version", "trace", "queue", "messages", "outcome"}`
///   for each batch delivered to the queue consumer (`outcome` `error` when the handler threw);
/// - `{"type": "scheduled", "timestamp", "worker", "version", "trace", "cron", "outcome"}` for each
///   run of a cron trigger (`outcome` `ok` or `exception`);
/// - `{"type": "dropped", "count"}` when this tail read too slowly and that many events were
///   left out;
/// - `{"type": "heartbeat"}` every 20 s, so a quiet tail's connection is not closed as idle.
///
/// Publishing never waits for a tail: each subscriber has a buffer of ``bufferSize`` events, and
/// what does not fit is dropped and counted, so a stalled `drover tail` costs the server nothing
/// but the events it misses. Filters are applied here, before an event is written.
package final class TailHub: Sendable {
    /// What one tail asked for (`drover tail --status --method --search --sampling-rate`).
    package struct Filter: Sendable {
        /// `ok` and/or `error`; empty for both. A log line is `error` at level error and above.
        package var outcomes: Set<String> = []
        /// Request methods; empty for every method. Log lines are not filtered by method.
        package var methods: Set<String> = []
        /// Text the event's JSON must contain.
        package var search: String?
        /// The share of events kept, 0 to 1.
        package var samplingRate = 1.0

        package init() {}

        /// The filter of a `/__drover/tail` query: `status`, `method` (repeatable), `search`, `sampling`.
        package init(query: QueryParameters) {
            outcomes = Set(query.all("status").map { $0.lowercased() }.filter { $0 == "ok" || $0 == "error" })
            methods = Set(query.all("method").map { $0.uppercased() })
            search = query["search"].flatMap { $0.isEmpty ? nil : $0 }
            samplingRate = query["sampling"].flatMap(Double.init).map { min(max($0, 0), 1) } ?? 1
        }

        func keeps(_ event: TailEvent) -> Bool {
            if !outcomes.isEmpty, !outcomes.contains(event.outcome) { return false }
            if !methods.isEmpty, let method = event.method, !methods.contains(method) { return false }
            if let search, !event.line.contains(search) { return false }
            return samplingRate >= 1 || Double.random(in: 0..<1) < samplingRate
        }
    }

    /// How a tail's events are written: JSON lines (`drover tail`) or server-sent events (the
    /// dashboard's page, through `EventSource`), each event then `data: <JSON>` and a blank line.
    package enum Format: Sendable {
        case jsonLines
        case serverSentEvents

        /// `line` (a JSON line, newline included) in this format.
        func frame(_ line: [UInt8]) -> [UInt8] {
            switch self {
            case .jsonLines: line
            case .serverSentEvents: Array("data: ".utf8) + line + [0x0A]
            }
        }
    }

    /// Events a tail may be behind before new ones are dropped for it.
    package static let bufferSize = 1_000

    private struct Subscriber {
        let filter: Filter
        let format: Format
        let continuation: Body.Stream.Continuation
        var dropped = 0
    }

    private let subscribers = Mutex<[Int: Subscriber]>([:])
    /// How many are subscribed, read without the lock: every request and log line asks.
    private let subscribed = Atomic<Int>(0)
    private let nextID = Atomic<Int>(0)
    /// While every tail is behind, when (in ``uptimeNanoseconds()``) the next try to write to them
    /// is due; 0 otherwise. Until then ``wantsEvents`` is false and events are not even built: a
    /// stalled tail costs each request one atomic read and one increment.
    private let quietUntil = Atomic<Int64>(0)
    /// Events left unbuilt while every tail was behind, added to each one's dropped count at the
    /// next publish.
    private let skippedWhileQuiet = Atomic<Int>(0)

    /// How long every tail being behind keeps events from being built before a write is tried again.
    package static let quietInterval: Int64 = 50_000_000
    private let heartbeat = Mutex<Task<Void, Never>?>(nil)

    /// How often a `{"type": "heartbeat"}` line goes to every tail, so a quiet one is not closed
    /// as idle (the server closes a connection after 60 s without a byte).
    package static let heartbeatInterval: Duration = .seconds(20)

    package init() {}

    /// Whether any tail is connected (events are built only then).
    package var isObserved: Bool { subscribed.load(ordering: .relaxed) > 0 }

    /// Whether an event built now could reach a tail: one is connected, and not every one is
    /// behind (its buffer full) with its next try not yet due. When false, call ``skip()``
    /// instead of building the event.
    package var wantsEvents: Bool {
        guard isObserved else { return false }
        let quiet = quietUntil.load(ordering: .relaxed)
        return quiet == 0 || Self.uptimeNanoseconds() >= quiet
    }

    /// Counts an event left unbuilt because every tail is behind: each tail's dropped count says
    /// so once it reads again.
    package func skip() {
        skippedWhileQuiet.add(1, ordering: .relaxed)
    }

    static func uptimeNanoseconds() -> Int64 {
        Int64(clamping: DispatchTime.now().uptimeNanoseconds)
    }

    /// How many tails are connected.
    package var count: Int { subscribed.load(ordering: .relaxed) }

    /// A new tail: the bytes of its events as they come, a line each (an event each, in
    /// `format`), starting with a
    /// `{"type": "connected"}` line.
    package func subscribe(_ filter: Filter, format: Format = .jsonLines) -> Body.Stream {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let (events, continuation) = Body.Stream.makeStream(bufferingPolicy: .bufferingOldest(Self.bufferSize))
        continuation.yield(format.frame(Array("{\"type\":\"connected\"}\n".utf8)))
        quietUntil.store(0, ordering: .relaxed)
        subscribers.withLock { subscribers in
            subscribers[id] = Subscriber(filter: filter, format: format, continuation: continuation)
            subscribed.store(subscribers.count, ordering: .relaxed)
        }
        // The client gone (its connection closed): forget it.
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            subscribers.withLock { subscribers in
                subscribers.removeValue(forKey: id)
                subscribed.store(subscribers.count, ordering: .relaxed)
            }
        }
        heartbeat.withLock { task in
            guard task == nil else { return }
            task = Task { [weak self] in
                while !Task.isCancelled {
                    guard (try? await Task.sleep(for: Self.heartbeatInterval)) != nil, let self else { return }
                    self.beat()
                }
            }
        }
        return events
    }

    /// Hands `event` to every tail whose filter keeps it, without waiting for any.
    package func publish(_ event: TailEvent) {
        let skipped = skippedWhileQuiet.exchange(0, ordering: .relaxed)
        subscribers.withLock { subscribers in
            var behind = 0
            for (id, var subscriber) in subscribers {
                // Skipped events were not built, so no filter saw them: a tail behind counts them all.
                if subscriber.dropped > 0 { subscriber.dropped += skipped }
                guard subscriber.filter.keeps(event) else {
                    if subscriber.dropped > 0 { behind += 1 }
                    subscribers[id] = subscriber
                    continue
                }
                if subscriber.dropped > 0 {
                    let notice = subscriber.format.frame(Array("{\"type\":\"dropped\",\"count\":\(subscriber.dropped)}\n".utf8))
                    if case .enqueued = subscriber.continuation.yield(notice) { subscriber.dropped = 0 }
                }
                if subscriber.dropped > 0 {
                    subscriber.dropped += 1
                } else if case .dropped = subscriber.continuation.yield(subscriber.format.frame(event.bytes)) {
                    subscriber.dropped += 1
                }
                if subscriber.dropped > 0 { behind += 1 }
                subscribers[id] = subscriber
            }
            // Every tail behind: stop building events for a while rather than for every request.
            quietUntil.store(behind == subscribers.count && behind > 0 ? Self.uptimeNanoseconds() + Self.quietInterval : 0, ordering: .relaxed)
        }
    }

    /// A heartbeat line to every tail with room for it.
    private func beat() {
        let line = Array("{\"type\":\"heartbeat\"}\n".utf8)
        subscribers.withLock { subscribers in
            for subscriber in subscribers.values { _ = subscriber.continuation.yield(subscriber.format.frame(line)) }
        }
    }

    /// Ends every tail (the server is stopping).
    package func finish() {
        heartbeat.withLock { task in
            task?.cancel()
            task = nil
        }
        let all = subscribers.withLock { subscribers in
            defer {
                subscribers.removeAll()
                subscribed.store(0, ordering: .relaxed)
            }
            return Array(subscribers.values)
        }
        for subscriber in all { subscriber.continuation.finish() }
    }
}

/// One event of ``TailHub``, rendered once for every tail.
package struct TailEvent: Sendable {
    /// `ok` or `error`.
    let outcome: String
    /// The request's method; nil for a log line.
    let method: String?
    /// The JSON line, newline included.
    let bytes: [UInt8]
    /// ``bytes`` as text, for `--search`.
    var line: String { String(decoding: bytes, as: UTF8.self) }

    /// A request the worker answered.
    package static func request(
        _ request: Request, status: Int, milliseconds: Double, worker: String, version: String?, trace: TraceContext, at date: Date,
        redaction: SecretRedaction = SecretRedaction()
    ) -> TailEvent {
        let outcome = status >= 500 ? "error" : "ok"
        let json: JSONValue = [
            "type": "request", "timestamp": .string(timestamp(date)), "worker": .string(worker), "version": version.map(JSONValue.string),
            "trace": .string(trace.traceID), "method": .string(request.method), "url": .string(redaction.redact(request.target)), "status": .integer(Int64(status)),
            "outcome": .string(outcome), "durationMs": .double((milliseconds * 1000).rounded() / 1000),
        ]
        return TailEvent(outcome: outcome, method: request.method, bytes: JSONSerializer.bytes(json) + [0x0A])
    }

    /// A batch delivered to the queue consumer (`outcome` `error` when the handler threw).
    package static func queueBatch(
        queue: String, messages: Int, threw: Bool, worker: String, version: String?, trace: TraceContext, at date: Date
    ) -> TailEvent {
        let outcome = threw ? "error" : "ok"
        let json: JSONValue = [
            "type": "queue", "timestamp": .string(timestamp(date)), "worker": .string(worker), "version": version.map(JSONValue.string),
            "trace": .string(trace.traceID), "queue": .string(queue), "messages": .integer(Int64(messages)), "outcome": .string(outcome),
        ]
        return TailEvent(outcome: outcome, method: nil, bytes: JSONSerializer.bytes(json) + [0x0A])
    }

    /// A run of a cron trigger (`outcome` `ok` or `exception`).
    package static func scheduled(cron: String, outcome: String, worker: String, version: String?, trace: TraceContext, at date: Date) -> TailEvent {
        let json: JSONValue = [
            "type": "scheduled", "timestamp": .string(timestamp(date)), "worker": .string(worker), "version": version.map(JSONValue.string),
            "trace": .string(trace.traceID), "cron": .string(cron), "outcome": .string(outcome),
        ]
        return TailEvent(outcome: outcome == "ok" ? "ok" : "error", method: nil, bytes: JSONSerializer.bytes(json) + [0x0A])
    }

    /// A log line.
    package static func log(_ record: LogRecord) -> TailEvent {
        let outcome = record.level >= .error ? "error" : "ok"
        let metadata = record.metadata
        let json: JSONValue = [
            "type": "log", "timestamp": .string(timestamp(record.date)), "level": .string("\(record.level)"), "label": .string(record.label),
            "message": .string(record.message), "worker": metadata["worker"].map(JSONValue.string),
            "version": metadata["version"].map(JSONValue.string), "trace": metadata[Logger.traceIDKey].map(JSONValue.string),
        ]
        return TailEvent(outcome: outcome, method: nil, bytes: JSONSerializer.bytes(json) + [0x0A])
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

/// A log sink that hands each record to the tails, when any is connected.
package struct TailLogSink: LogSink {
    let hub: TailHub

    package init(hub: TailHub) {
        self.hub = hub
    }

    package func write(_ record: LogRecord) {
        // A request line is sent as its request event, with the fields apart.
        guard hub.isObserved, record.label != "request" else { return }
        guard hub.wantsEvents else { return hub.skip() }
        hub.publish(.log(record))
    }
}
