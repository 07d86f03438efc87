import Drover
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The versions and deployments of a worker under its state directory:
///
/// ```
/// <state>/deployments/versions/<N>.json     one per version, written once
/// <state>/deployments/history/<N>.json      one per deployment, written once
/// <state>/deployments/active.json           the active deployment, replaced atomically
/// <state>/deployments/serving.json          which one a running drover dev serves, and its pid
/// ```
///
/// Every file is written to a temporary name, flushed, and renamed into place, so a reader — the
/// running `drover dev`, which watches `active.json` — sees a whole file or the previous one, never
/// part of one. A number is taken by creating its file exclusively, so two `drover deploy`s at
/// once get two numbers.
package struct VersionStore: Sendable {
    /// `<state>/deployments`.
    package let directory: String

    package init(stateDirectory: String) {
        directory = (stateDirectory as NSString).appendingPathComponent("deployments")
    }

    /// The file `drover dev` watches.
    package var activePath: String { directory + "/active.json" }

    // MARK: - Reading

    /// Every version, oldest first.
    package func versions() throws -> [WorkerVersion] {
        try numbered(in: "versions", written: true).map { try read(WorkerVersion.self, at: $0.path) }
    }

    /// Version `id`, or nil.
    package func version(_ id: Int) throws -> WorkerVersion? {
        let path = "\(directory)/versions/\(id).json"
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try read(WorkerVersion.self, at: path)
    }

    /// Every deployment, oldest first.
    package func deployments() throws -> [Deployment] {
        try numbered(in: "history", written: true).map { try read(Deployment.self, at: $0.path) }
    }

    /// The active deployment, or nil before the first.
    package func active() throws -> Deployment? {
        guard FileManager.default.fileExists(atPath: activePath) else { return nil }
        return try read(Deployment.self, at: activePath)
    }

    /// What a running `drover dev` on this state serves, written by it after each switch; nil
    /// when none runs (no record, or its process is gone: a server killed with `kill -9` leaves
    /// its record behind).
    package func serving() -> ServingRecord? {
        guard let data = FileManager.default.contents(atPath: servingPath),
            let record = try? JSONDecoder().decode(ServingRecord.self, from: data)
        else { return nil }
        return Self.isRunning(record.pid) ? record : nil
    }

    /// Whether process `pid` exists and has not exited: a process killed but not yet reaped (a
    /// zombie) still answers `kill(pid, 0)`, so its state is read from `/proc` too.
    static func isRunning(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let name = stat.lastIndex(of: ")") else {
            return true
        }
        return stat[stat.index(after: name)...].first(where: { $0 != " " }) != "Z"
    }

    /// `serving.json`.
    package var servingPath: String { directory + "/serving.json" }

    // MARK: - Writing

    /// Records that this process, a `drover dev`, now serves `deployment` (nil: its config file,
    /// no deployment yet).
    package func markServing(_ deployment: Int?) throws {
        try writeAtomically(try Self.encoder.encode(ServingRecord(deployment: deployment, pid: getpid())), to: servingPath)
    }

    /// Removes this process's record, as it stops serving.
    package func unmarkServing() {
        if let data = FileManager.default.contents(atPath: servingPath),
            let record = try? JSONDecoder().decode(ServingRecord.self, from: data), record.pid == getpid()
        {
            unlink(servingPath)
        }
    }

    /// Stores a new version with the next number.
    package func create(_ make: (Int) -> WorkerVersion) throws -> WorkerVersion {
        try claimNext(in: "versions") { id in make(id) }
    }

    /// Records a deployment with the next number and makes it the active one.
    package func activate(_ make: (Int) -> Deployment) throws -> Deployment {
        let deployment = try claimNext(in: "history") { id in make(id) }
        try writeAtomically(try Self.encoder.encode(deployment), to: activePath)
        return deployment
    }

    // MARK: -

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The files `<N>.json` of `folder`, by number; with `written`, only those holding a record (a
    /// number claimed by a writer still writing — or one that crashed before it wrote — is empty).
    private func numbered(in folder: String, written: Bool = false) throws -> [(id: Int, path: String)] {
        let path = directory + "/" + folder
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: path).compactMap { name -> (id: Int, path: String)? in
            guard name.hasSuffix(".json"), let id = Int(name.dropLast(5)), id > 0 else { return nil }
            let file = path + "/" + name
            if written {
                var info = stat()
                guard stat(file, &info) == 0, info.st_size > 0 else { return nil }
            }
            return (id, file)
        }.sorted { $0.id < $1.id }
    }

    private func read<T: Decodable>(_ type: T.Type, at path: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: path) else { throw DeployError("cannot read \(path)") }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw DeployError("\(path) is not a valid \(T.self == WorkerVersion.self ? "version" : "deployment") record: \(error)")
        }
    }

    /// Writes the record `make` returns for the next free number of `folder`: the number is taken
    /// by creating `<N>.json` exclusively (a concurrent writer gets the next one), and the record
    /// is written beside it and renamed over it.
    private func claimNext<T: Encodable>(in folder: String, _ make: (Int) -> T) throws -> T {
        let path = directory + "/" + folder
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var id = (try numbered(in: folder).last?.id ?? 0) + 1
        while true {
            let target = "\(path)/\(id).json"
            let fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 {
                close(fd)
                let record = make(id)
                do {
                    try writeAtomically(try Self.encoder.encode(record), to: target)
                } catch {
                    unlink(target)
                    throw error
                }
                return record
            }
            guard errno == EEXIST else { throw DeployError("cannot create \(target): \(String(cString: strerror(errno)))") }
            id += 1
        }
    }

    /// `data` at `path`, via a temporary file flushed to disk and renamed, then the folder flushed.
    private func writeAtomically(_ data: Data, to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temporary = "\(path).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DeployError("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        var failure: String?
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil, rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw DeployError("cannot write \(path): \(failure)")
        }
        let folderFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderFD >= 0 {
            fsync(folderFD)
            close(folderFD)
        }
    }

    /// Now as RFC 3339 (UTC, seconds).
    package static func timestamp(_ date: Date) -> String { date.formatted(.iso8601) }
}

/// Which deployment a `drover dev` serves (nil: its config file, before the first deployment),
/// by the process serving it: how `drover deploy` knows when the server has switched.
package struct ServingRecord: Codable, Sendable, Equatable {
    package let deployment: Int?
    package let pid: Int32

    package init(deployment: Int?, pid: Int32) {
        self.deployment = deployment
        self.pid = pid
    }
}

/// A deployment refused or a record unreadable.
package struct DeployError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
