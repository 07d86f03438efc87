import Drover
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Secrets stored by `drover secret put`, in `<state>/secrets.json` (a JSON object of name to value).
///
/// The file has mode 0600 and is replaced atomically: a temporary file in the same folder is written, `fsync`ed
/// and renamed over the old one, then the folder is `fsync`ed, so a crash leaves the old or the new file, never
/// a mix. Read-modify-write is serialized in-process by a mutex and across processes by `flock` on
/// `secrets.json.lock`. Values never appear in errors.
package final class SecretStore: Sendable {
    /// The state folder.
    package let directory: String
    /// `<directory>/secrets.json`.
    package var path: String { (directory as NSString).appendingPathComponent("secrets.json") }
    private let mutex = Mutex<Void>(())

    /// Creates a store; nothing is touched until the first call.
    /// - Parameter stateDirectory: the state folder (`.drover/state` beside the config unless `--persist-to`).
    package init(stateDirectory: String) {
        self.directory = stateDirectory
    }

    /// Whether `name` is a valid secret name: `[A-Za-z_][A-Za-z0-9_]*`.
    package static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(first &- 0x30 < 10) else { return false }
        return name.utf8.allSatisfy { ($0 | 0x20) &- 0x61 < 26 || $0 &- 0x30 < 10 || $0 == 0x5F }
    }

    /// Throws unless `name` is valid.
    /// - Throws: ``ConfigError/Kind/invalidSecretName``.
    package static func validate(name: String) throws(ConfigError) {
        guard isValidName(name) else {
            throw ConfigError(
                .invalidSecretName,
                "invalid secret name \"\(name)\": use letters, digits and '_', not starting with a digit",
                file: "secret"
            )
        }
    }

    /// Stored secrets overlaid with `.dev.vars`: a `.dev.vars` entry wins, as in wrangler.
    package static func merged(stored: [String: Secret], devVars: [String: Secret]) -> [String: Secret] {
        stored.merging(devVars) { _, devVar in devVar }
    }

    /// Stores or replaces a secret.
    /// - Throws: ``ConfigError`` for an invalid name or a file that cannot be written.
    package func put(_ name: String, _ value: Secret) throws(ConfigError) {
        try Self.validate(name: name)
        try update { $0[name] = value.reveal() }
    }

    /// Stores or replaces several secrets at once, in one write: all of them or, for an invalid name,
    /// none.
    /// - Throws: ``ConfigError`` for an invalid name (the first, sorted) or a file that cannot be written.
    package func putAll(_ secrets: [String: Secret]) throws(ConfigError) {
        for name in secrets.keys.sorted() { try Self.validate(name: name) }
        try update { values in
            for (name, value) in secrets { values[name] = value.reveal() }
        }
    }

    /// Removes a secret.
    /// - Returns: whether it existed.
    /// - Throws: ``ConfigError`` when the file cannot be read or written.
    @discardableResult
    package func delete(_ name: String) throws(ConfigError) -> Bool {
        var existed = false
        try update { existed = $0.removeValue(forKey: name) != nil }
        return existed
    }

    /// One secret, or nil.
    /// - Throws: ``ConfigError`` when the file cannot be read.
    package func get(_ name: String) throws(ConfigError) -> Secret? {
        try all()[name]
    }

    /// The stored names, sorted; never the values.
    /// - Throws: ``ConfigError`` when the file cannot be read.
    package func list() throws(ConfigError) -> [String] {
        try all().keys.sorted()
    }

    /// Every stored secret.
    /// - Throws: ``ConfigError`` when the file cannot be read or is corrupt.
    package func all() throws(ConfigError) -> [String: Secret] {
        try mutex.withLock { _ throws(ConfigError) in try read().mapValues(Secret.init) }
    }

    // MARK: File handling

    private func ioError(_ what: String, _ file: String? = nil) -> ConfigError {
        ConfigError(.unreadable, "\(what): \(String(cString: strerror(errno)))", file: file ?? path)
    }

    private func read() throws(ConfigError) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) { throw ConfigError(.unreadable, "cannot read the secret store", file: path) }
            return [:]
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ConfigError(.secretStore, "the secret store is not a JSON object", file: path)
        }
        var values: [String: String] = [:]
        for (key, value) in object {
            guard let string = value as? String else {
                throw ConfigError(.secretStore, "the secret store holds a non-string value for \"\(key)\"", file: path)
            }
            values[key] = string
        }
        return values
    }

    private func update(_ change: (inout [String: String]) -> Void) throws(ConfigError) {
        try mutex.withLock { _ throws(ConfigError) in
            try createDirectory()
            let lockPath = path + ".lock"
            let lockFD = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard lockFD >= 0 else { throw ioError("cannot open the lock file", lockPath) }
            defer { close(lockFD) }
            while flock(lockFD, LOCK_EX) != 0 {
                guard errno == EINTR else { throw ioError("cannot lock the secret store", lockPath) }
            }
            var values = try read()
            change(&values)
            let json = JSONValue.members(values.keys.sorted().map { ($0, .string(values[$0]!)) }).rendered(pretty: true) + "\n"
            try writeAtomically(Array(json.utf8))
        }
    }

    private func createDirectory() throws(ConfigError) {
        do {
            try FileManager.default.createDirectory(
                atPath: directory,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw ConfigError(.unreadable, "cannot create the state folder", file: directory)
        }
    }

    /// Write to a temporary file, fsync, rename over the target, fsync the folder.
    private func writeAtomically(_ bytes: [UInt8]) throws(ConfigError) {
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ioError("cannot create a temporary file", temporary) }
        var ok = fchmod(fd, 0o600) == 0
        var written = 0
        while ok, written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { ok = false } else { written += n }
        }
        ok = ok && fsync(fd) == 0
        let failure = ok ? nil : ioError("cannot write the secret store", temporary)
        close(fd)
        if let failure {
            unlink(temporary)
            throw failure
        }
        guard rename(temporary, path) == 0 else {
            let error = ioError("cannot replace the secret store")
            unlink(temporary)
            throw error
        }
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
    }
}
