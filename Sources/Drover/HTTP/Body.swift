/// The body of a request or response: nothing, bytes already in memory, or a stream of chunks.
///
/// The HTTP server hands handlers request bodies that are already complete in memory (up to the
/// configured limit), so reading them is free and may be repeated. A streamed body can be read once.
/// ``bytes(limit:)``, ``text()`` and ``json()`` read it whole.
public struct Body: Sendable {
    /// A stream of body chunks.
    public typealias Stream = AsyncThrowingStream<[UInt8], any Error>

    package enum Storage: Sendable {
        case empty
        case bytes([UInt8])
        case stream(Stream, length: Int?)
    }

    package var storage: Storage

    package init(storage: Storage) {
        self.storage = storage
    }

    /// No body.
    public static let empty = Body(storage: .empty)

    /// A body of `bytes`.
    public init(bytes: [UInt8]) {
        storage = bytes.isEmpty ? .empty : .bytes(bytes)
    }

    /// A body of `text`'s UTF-8.
    public init(text: String) {
        self.init(bytes: Array(text.utf8))
    }

    /// A streamed body; `length`, when known, becomes `Content-Length` instead of chunked encoding.
    public init(stream: Stream, length: Int? = nil) {
        storage = .stream(stream, length: length)
    }

    /// A streamed body produced by `produce`, which writes chunks until it returns.
    /// A thrown error ends the stream with that error (the server then aborts the response).
    public static func writer(
        length: Int? = nil,
        _ produce: @escaping @Sendable (_ write: @Sendable ([UInt8]) -> Void) async throws -> Void
    ) -> Body {
        let (stream, continuation) = Stream.makeStream()
        let task = Task {
            do {
                try await produce { chunk in continuation.yield(chunk) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return Body(stream: stream, length: length)
    }

    /// The length when it is known without reading: bytes in memory, or a stream of declared length.
    public var knownLength: Int? {
        switch storage {
        case .empty: 0
        case .bytes(let bytes): bytes.count
        case .stream(_, let length): length
        }
    }

    /// Whether the body is a stream (not yet in memory).
    public var isStream: Bool {
        if case .stream = storage { return true }
        return false
    }

    /// The bytes in memory, when the body is not a stream.
    public var bufferedBytes: [UInt8]? {
        switch storage {
        case .empty: []
        case .bytes(let bytes): bytes
        case .stream: nil
        }
    }

    /// Reads the whole body.
    /// - Parameter limit: the most bytes accepted; a longer body throws ``BodyError/tooLarge(limit:)``.
    public func bytes(limit: Int = .max) async throws -> [UInt8] {
        switch storage {
        case .empty:
            return []
        case .bytes(let bytes):
            guard bytes.count <= limit else { throw BodyError.tooLarge(limit: limit) }
            return bytes
        case .stream(let stream, _):
            var collected: [UInt8] = []
            for try await chunk in stream {
                collected.append(contentsOf: chunk)
                guard collected.count <= limit else { throw BodyError.tooLarge(limit: limit) }
            }
            return collected
        }
    }

    /// Reads the whole body as UTF-8 text (invalid sequences become U+FFFD, as `TextDecoder` does).
    public func text() async throws -> String {
        String(decoding: try await bytes(), as: UTF8.self)
    }

    /// Reads the whole body and parses it as JSON.
    /// - Throws: ``JSONParseError`` when it is not JSON.
    public func json() async throws -> JSONValue {
        try JSONParser.parse(try await bytes())
    }

    /// Reads the whole body and decodes it as JSON into `T`, through `JSONDecoder` (no
    /// ``JSONValue`` in between).
    /// - Throws: ``JSONParseError`` when the body is not JSON, `DecodingError` when it is not a `T`.
    public func json<T: Decodable>(as type: T.Type) async throws -> T {
        let bytes = try await bytes()
        do {
            return try JSONCoding.decode(T.self, from: bytes)
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            // Not JSON at all: the parser's error says where (what this method threw before it
            // decoded directly).
            _ = try JSONParser.parse(bytes)
            throw DecodingError.dataCorrupted(context)
        }
    }
}
