import Foundation

/// One open of the queue store: a random instance id, and the proof that its holder is alive.
///
/// Leases are written in the instance's name (``id``), never a process id: a process id says
/// nothing once it is reused, inside a container (everyone is pid 1) or across pid namespaces
/// that share the state folder. Instead, each instance creates `<queues>/instances/<id>` and holds
/// an exclusive `flock` on it for its whole life. The kernel drops that lock when the holder's
/// last descriptor closes, however the process ends (kill -9 included) and whatever its pid
/// namespace. So another instance that *can* take the lock (`LOCK_EX | LOCK_NB`) knows the owner
/// is gone; one that cannot knows it is alive. flock locks belong to the open file description
/// (flock(2)), so two instances in one process each have their own and see each other as alive.
///
/// The file is created under a hidden name, locked, then renamed into place, so nobody ever sees
/// an instance file that is not yet locked. A clean close removes the file, then drops the lock; a
/// missing file therefore also means "gone". A holder that is alive but stuck keeps its lock: the
/// lease deadline (``QueueBroker/defaultVisibilityTimeout``) covers that case.
final class QueueInstance: Sendable {
    /// 32 lower-case hex characters (128 random bits).
    let id: String
    /// `<queues>/instances`.
    let directory: String
    private let descriptor: Int32

    /// Creates and locks `<queuesDirectory>/instances/<new id>`.
    /// - Throws: ``QueuesError/storage(_:)`` naming the file when it cannot be created or locked.
    init(queuesDirectory: String) throws(QueuesError) {
        let directory = queuesDirectory + "/instances"
        do {
            try FileManager.default.createDirectory(
                atPath: directory,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]  // state: its owner's only
            )
        } catch {
            throw .storage("cannot create queue instance directory \(directory): \(error.localizedDescription)")
        }
        // Another instance's ``removeAbandonedHiddenFiles()`` may take a hidden file between its
        // creation and its lock; then this attempt fails and the next, under a new id, goes on.
        var attempt = 1
        while true {
            do throws(QueuesError) {
                (self.id, self.descriptor) = try Self.claim(in: directory)
                break
            } catch {
                guard attempt < 3 else { throw error }
                attempt += 1
            }
        }
        self.directory = directory
    }

    /// Creates `directory/.<id>`, locks it, and renames it to `directory/<id>`.
    private static func claim(in directory: String) throws(QueuesError) -> (id: String, descriptor: Int32) {
        let id = MessageID.make()
        let hidden = directory + "/." + id
        let final = directory + "/" + id
        let fd = InstanceFileCalls.createExclusive(hidden)
        guard fd >= 0 else {
            let code = InstanceFileCalls.lastError
            throw .storage("cannot create queue instance file \(hidden): \(InstanceFileCalls.describe(code))")
        }
        guard InstanceFileCalls.tryLockExclusive(fd) else {
            let code = InstanceFileCalls.lastError
            InstanceFileCalls.close(fd)
            throw .storage("cannot lock queue instance file \(hidden): \(InstanceFileCalls.describe(code))")
        }
        guard InstanceFileCalls.rename(hidden, final) else {
            let code = InstanceFileCalls.lastError
            InstanceFileCalls.close(fd)
            InstanceFileCalls.unlink(hidden)
            throw .storage("cannot rename queue instance file to \(final): \(InstanceFileCalls.describe(code))")
        }
        return (id, fd)
    }

    deinit {
        // Remove first, then unlock: whoever finds the file still locks it only once we are gone.
        InstanceFileCalls.unlink(directory + "/" + id)
        InstanceFileCalls.close(descriptor)
    }

    /// Whether instance `id` is gone: its file is missing, or its lock can be taken. A gone
    /// instance's file is removed (under the lock just taken). An id that is not 32 hex characters
    /// (hand-edited or from another format) is never a file name here and counts as gone.
    /// An instance whose file cannot be opened for another reason (permissions) counts as alive:
    /// its leases then end at their deadline.
    func isGone(_ id: String) -> Bool {
        guard id != self.id else { return false }
        guard Self.isInstanceID(id) else { return true }
        return Self.removeIfUnlocked(directory + "/" + id) ?? false
    }

    /// The other instances that have a file here, alive or not (hidden half-created files excluded).
    func listedInstances() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0 != id && Self.isInstanceID($0) }
    }

    /// Removes hidden `.<id>` files left by a process that died between creating and renaming its
    /// file (nobody holds their lock).
    func removeAbandonedHiddenFiles() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names where name.hasPrefix(".") && Self.isInstanceID(String(name.dropFirst())) {
            _ = Self.removeIfUnlocked(directory + "/" + name)
        }
    }

    /// `true` when the file was missing or unlocked (and is now removed), `false` when someone holds
    /// its lock, `nil` when it could not be opened for another reason.
    private static func removeIfUnlocked(_ path: String) -> Bool? {
        let fd = InstanceFileCalls.openExisting(path)
        guard fd >= 0 else { return InstanceFileCalls.lastErrorIsNotFound ? true : nil }
        defer { InstanceFileCalls.close(fd) }
        guard InstanceFileCalls.tryLockExclusive(fd) else { return false }
        InstanceFileCalls.unlink(path)
        return true
    }

    static func isInstanceID(_ name: String) -> Bool {
        name.utf8.count == 32 && name.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
