import Drover
import DroverRuntime
import Foundation
import Synchronization

/// Writes the fixtures of `drover dev --record DIR`: one file per ``RecordedRequest``, built by
/// ``FixtureRecorder`` (Docs/fixtures.md, "Recording"), named `NNNN-method-path.json` in arrival
/// order. Numbering continues after the highest number already in DIR, so a second session
/// never overwrites the first one's fixtures.
///
/// The fixture's `config` is the served config relative to DIR (Docs/fixtures.md: a relative
/// `config` is resolved from the fixture file's folder), its `env` the `--env` given.
package struct RecordedRequestWriter: Sendable {
    /// The folder fixtures are written into (absolute).
    package let directory: String
    /// The number of the highest fixture already in ``directory`` when recording started.
    package let firstNumberOffset: Int
    private let recorder: FixtureRecorder
    private let logger: Logger
    private let warnings = ShortSecretWarnings()

    /// Prepares `directory` (creating it) for recording.
    /// - Throws: ``ReplayError`` `.unwritableFile` when the folder cannot be created or listed.
    package init(directory: String, logger: Logger, recorder: FixtureRecorder = FixtureRecorder()) throws(ReplayError) {
        let absolute = Self.absolute(directory)
        do {
            try FileManager.default.createDirectory(atPath: absolute, withIntermediateDirectories: true)
        } catch {
            throw ReplayError(code: .unwritableFile, message: "--record \(directory): cannot create the folder: \(error.localizedDescription)")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: absolute)
        } catch {
            throw ReplayError(code: .unwritableFile, message: "--record \(directory): cannot list the folder: \(error.localizedDescription)")
        }
        self.directory = absolute
        self.firstNumberOffset = names.compactMap(Self.number(ofFileNamed:)).max() ?? 0
        self.recorder = recorder
        self.logger = logger
    }

    /// The fixture for `recorded`, without writing it.
    package func fixture(for recorded: RecordedRequest) -> JSONValue {
        let exchanges = recorded.exchanges.map { exchange -> RecordedExchange in
            let request = RecordedMessage.request(
                method: exchange.request.method,
                target: exchange.request.url,
                headers: exchange.request.headers,
                body: exchange.requestBody
            )
            switch exchange.result {
            case .success(let response):
                let body = response.body.bufferedBytes ?? []
                return RecordedExchange(
                    request: request,
                    outcome: .response(.response(status: response.status, headers: response.headers, body: body))
                )
            case .failure(let error):
                return RecordedExchange(request: request, outcome: .failure((error as? FetchError)?.kind ?? .connection))
            }
        }
        return recorder.fixture(
            request: .request(
                method: recorded.request.method,
                target: recorded.request.target,
                headers: recorded.request.headers,
                body: recorded.requestBody
            ),
            response: .response(status: recorded.response.status, headers: recorded.response.headers, body: recorded.responseBody),
            exchanges: exchanges,
            secretsRead: recorded.secretsRead,
            secretValues: recorded.secretValues,
            time: recorded.time,
            config: Self.relativePath(from: directory, to: recorded.configPath),
            env: recorded.environment
        )
    }

    /// Writes the fixture for `recorded`; a failure is logged (the request was already answered).
    /// The file is named from the fixture's own, redacted, path: a secret may sit in a path segment.
    /// - Returns: the written file's path, or `nil` when it could not be written.
    @discardableResult
    package func write(_ recorded: RecordedRequest) -> String? {
        for name in SecretRedactor.shortSecretNames(recorded.secretValues) where warnings.first(name) {
            logger.warning(
                "secret \(name) is shorter than \(SecretRedactor.minimumEncodedLength) bytes: recorded fixtures redact it wherever it occurs as is or escaped, but not in base64 text; give it a longer value"
            )
        }
        let document = fixture(for: recorded)
        let target = document["steps"]?[0]?["request"]?["path"]?.stringValue ?? "/"
        let name = FixtureRecorder.fileName(sequence: firstNumberOffset + recorded.sequence, method: recorded.request.method, target: target)
        do {
            let path = try FixtureRecorder.write(document, directory: directory, fileName: name)
            logger.info("recorded \(path)")
            return path
        } catch {
            logger.error("--record: \(error)")
            return nil
        }
    }

    /// The `NNNN` of a recorded fixture's file name (`0012-get-root.json`), or `nil` for other files.
    static func number(ofFileNamed name: String) -> Int? {
        guard name.hasSuffix(".json"), let dash = name.firstIndex(of: "-") else { return nil }
        let digits = name[..<dash]
        guard digits.count >= 4, digits.allSatisfy(\.isASCIIDigit) else { return nil }
        return Int(digits)
    }

    /// `file` relative to the folder `directory`, with `..` as needed (`../wrangler-like.toml`).
    package static func relativePath(from directory: String, to file: String) -> String {
        let from = absolute(directory).split(separator: "/")
        let to = absolute(file).split(separator: "/")
        var common = 0
        while common < from.count, common < to.count - 1, from[common] == to[common] { common += 1 }
        let ups = Array(repeating: "..", count: from.count - common)
        return (ups + to[common...].map(String.init)).joined(separator: "/")
    }

    /// `path` made absolute against the working directory, with `.` and `..` resolved.
    private static func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        return (full as NSString).standardizingPath
    }
}

/// The secret names already warned about in this recording session, so each warning is logged once.
private final class ShortSecretWarnings: Sendable {
    private let warned = Mutex<Set<String>>([])

    /// Whether `name` is warned about for the first time.
    func first(_ name: String) -> Bool {
        warned.withLock { $0.insert(name).inserted }
    }
}

extension Character {
    /// `0`–`9` only.
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
