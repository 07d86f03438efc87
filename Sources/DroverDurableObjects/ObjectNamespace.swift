import Dispatch
import Drover
import Foundation
import Synchronization

/// One Durable Object namespace of a running worker: the binding's ids, and the live instances,
/// at most one per id.
///
/// An instance is built on the first event for its id (its storage opened, then the class's
/// `init(ctx:env:)` awaited before any event reaches it) and kept while events come; one idle for
/// ``DurableObjectsHost/Settings/idleTimeout``, or the least recently used idle one when more than
/// ``DurableObjectsHost/Settings/maximumLiveObjects`` are live, is evicted: its storage is closed,
/// and the next event builds it again from the file.
final class ObjectNamespace: DurableObjectNamespace, DurableObjectHost, Sendable {
    /// The class's name in the config (`class_name`).
    let className: String
    /// The folder of the objects' SQLite files.
    let directory: String
    /// Whether the class has the SQL API.
    let hasSQL: Bool
    /// Whether `deleteAll()` deletes the alarm (the worker's compatibility date and flags).
    let deleteAllDeletesAlarm: Bool
    private let clock: any WallClock
    /// The namespace's key in the alarm index.
    let indexKey: String
    private let type: any DurableObject.Type
    private let ids: ObjectIDFactory
    /// The worker's `Env`, until shutdown (`nil` then: new events are refused, and the cycle
    /// between the `Env`, which holds the namespace, and the namespace is broken).
    private let env: Mutex<Env?> = Mutex(nil)
    private let isShutDown = Atomic<Bool>(false)
    private let logger: Logger
    private let index: ObjectIndex
    private let alarms: AlarmScheduler
    private let instances: Mutex<[String: Slot]> = Mutex([:])
    private let maximumLive: Int

    /// A live (or starting) instance and how it is used.
    private struct Slot {
        var instance: Task<Instance, any Error>
        var inFlight: Int
        var lastUsed: UInt64
        /// Set when the slot was built, to tell it from a later one of the same id.
        var generation: UInt64
    }

    /// What a built object is made of.
    final class Instance: Sendable {
        let object: any DurableObject
        let storage: ObjectStorage
        let gate: DurableObjectInputGate

        init(object: any DurableObject, storage: ObjectStorage, gate: DurableObjectInputGate) {
            self.object = object
            self.storage = storage
            self.gate = gate
        }
    }

    private static let generations = Atomic<UInt64>(0)

    init(
        className: String,
        uniqueKey: String,
        directory: String,
        hasSQL: Bool,
        deleteAllDeletesAlarm: Bool,
        type: any DurableObject.Type,
        clock: any WallClock,
        index: ObjectIndex,
        alarms: AlarmScheduler,
        logger: Logger,
        maximumLive: Int
    ) throws {
        self.className = className
        self.indexKey = uniqueKey
        self.directory = directory
        self.hasSQL = hasSQL
        self.deleteAllDeletesAlarm = deleteAllDeletesAlarm
        self.type = type
        self.clock = clock
        self.ids = ObjectIDFactory(uniqueKey: uniqueKey)
        self.index = index
        self.alarms = alarms
        self.logger = logger
        self.maximumLive = maximumLive
        // State is its owner's only, as every folder under the state directory.
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// Gives the namespace the worker's `Env`, which the objects are built with (the `Env` holds
    /// the namespace, so it comes after).
    func setEnv(_ env: Env) {
        self.env.withLock { $0 = env }
    }

    /// Refuses new events from now on and lets go of the `Env`.
    func shutDown() {
        isShutDown.store(true, ordering: .relaxed)
        env.withLock { $0 = nil }
    }

    // MARK: - DurableObjectNamespace

    func idFromName(_ name: String) -> DurableObjectId { ids.idFromName(name) }

    func idFromString(_ string: String) throws -> DurableObjectId { try ids.idFromString(string) }

    func newUniqueId() -> DurableObjectId { ids.newUniqueId() }

    func get(_ id: DurableObjectId) -> DurableObjectStub {
        DurableObjectStub(id: id, host: self)
    }

    // MARK: - Delivering events

    func deliver<R: Sendable>(to id: DurableObjectId, _ event: @escaping @Sendable (any DurableObject) async throws -> R) async throws -> R {
        try await withInstance(id) { instance in try await event(instance.object) }
    }

    /// Runs `body` on the live instance of `id`, building it first when there is none, once the
    /// object's input gate lets it through.
    func withInstance<R: Sendable>(_ id: DurableObjectId, _ body: @Sendable (Instance) async throws -> R) async throws -> R {
        guard !isShutDown.load(ordering: .relaxed) else {
            throw DurableObjectError("The Durable Object namespace of class \(className) is shut down: the worker is stopping or was reloaded.")
        }
        let (task, generation) = acquire(id)
        let instance: Instance
        do {
            instance = try await task.value
        } catch {
            release(id.hex, generation: generation, retire: true)
            throw error
        }
        await instance.gate.pass()
        if instance.gate.isBroken {
            // Its initializer's blockConcurrencyWhile threw while this event waited: the object
            // is reset, and the next event builds it again.
            release(id.hex, generation: generation, retire: true)
            throw DurableObjectError("The Durable Object \(id.hex) was reset: a blockConcurrencyWhile() callback threw.")
        }
        do {
            let result = try await body(instance)
            release(id.hex, generation: generation, retire: instance.gate.isBroken)
            return result
        } catch {
            release(id.hex, generation: generation, retire: instance.gate.isBroken)
            throw error
        }
    }

    /// The slot of `id`, made (and its instance's build started) when there is none; counts one
    /// more event in flight.
    private func acquire(_ id: DurableObjectId) -> (Task<Instance, any Error>, UInt64) {
        let now = DispatchTime.now().uptimeNanoseconds
        var evicted: [Task<Instance, any Error>] = []
        let acquired = instances.withLock { slots -> (Task<Instance, any Error>, UInt64) in
            if var slot = slots[id.hex] {
                slot.inFlight += 1
                slot.lastUsed = now
                slots[id.hex] = slot
                return (slot.instance, slot.generation)
            }
            if slots.count >= maximumLive {
                // The least recently used idle instances make room.
                let idle = slots.filter { $0.value.inFlight == 0 }.sorted { $0.value.lastUsed < $1.value.lastUsed }
                for (key, slot) in idle.prefix(slots.count - maximumLive + 1) {
                    slots[key] = nil
                    evicted.append(slot.instance)
                }
            }
            let generation = Self.generations.wrappingAdd(1, ordering: .relaxed).newValue
            let task = Task { try await self.build(id) }
            slots[id.hex] = Slot(instance: task, inFlight: 1, lastUsed: now, generation: generation)
            return (task, generation)
        }
        for task in evicted { Self.close(task) }
        return acquired
    }

    /// Counts an event done; `retire` drops the slot (a failed build, a reset object).
    private func release(_ key: String, generation: UInt64, retire: Bool) {
        let now = DispatchTime.now().uptimeNanoseconds
        let retired = instances.withLock { slots -> Task<Instance, any Error>? in
            guard var slot = slots[key], slot.generation == generation else { return nil }
            if retire {
                slots[key] = nil
                return slot.instance
            }
            slot.inFlight -= 1
            slot.lastUsed = now
            slots[key] = slot
            return nil
        }
        if let retired { Self.close(retired) }
    }

    /// Builds the instance of `id`: opens its storage and runs the class's initializer.
    private func build(_ id: DurableObjectId) async throws -> Instance {
        guard let env = env.withLock({ $0 }) else {
            throw DurableObjectError("the Durable Object namespace of class \(className) is not ready yet")
        }
        let isNew = !exists(id)
        let storage = try openStorage(id)
        if isNew || id.name != nil {
            do {
                try index.recordObject(namespace: indexKey, id: id.hex, name: id.name)
            } catch {
                storage.close()
                throw error
            }
        }
        let gate = DurableObjectInputGate()
        let state = DurableObjectState(id: id, storage: storage, gate: gate)
        do {
            let object = try type.init(ctx: state, env: env)
            return Instance(object: object, storage: storage, gate: gate)
        } catch {
            storage.close()
            throw error
        }
    }

    /// Opens the storage file of `id` (creating it when absent), its alarm changes going to the
    /// scheduler.
    func openStorage(_ id: DurableObjectId) throws(DurableObjectError) -> ObjectStorage {
        let alarms = self.alarms
        let indexKey = self.indexKey
        let clock = self.clock
        return try ObjectStorage(
            id: id, path: (directory as NSString).appendingPathComponent("\(id.hex).sqlite"), hasSQL: hasSQL,
            deleteAllDeletesAlarm: deleteAllDeletesAlarm, now: { clock.nowMilliseconds() }
        ) { id, alarm throws(DurableObjectError) in
            do {
                try alarms.setAlarm(alarm, namespace: indexKey, id: id.hex)
            } catch {
                throw error as? DurableObjectError ?? DurableObjectError("\(error)")
            }
        }
    }

    /// Closes the storage of a dropped instance, once it is built.
    private static func close(_ task: Task<Instance, any Error>) {
        Task { (try? await task.value)?.storage.close() }
    }

    // MARK: - Eviction

    /// Evicts the instances idle for `idle` or longer (every idle one for `.zero`).
    /// - Returns: how many were evicted.
    @discardableResult
    func evictIdle(for idle: Duration) async -> Int {
        let (seconds, attoseconds) = idle.components
        let nanoseconds = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
        let now = DispatchTime.now().uptimeNanoseconds
        let evicted = instances.withLock { slots -> [Task<Instance, any Error>] in
            let keys = slots.filter { $0.value.inFlight == 0 && now &- $0.value.lastUsed >= nanoseconds }.map(\.key)
            return keys.compactMap { slots.removeValue(forKey: $0)?.instance }
        }
        for task in evicted { (try? await task.value)?.storage.close() }
        return evicted.count
    }

    /// How many instances are live now.
    var liveCount: Int { instances.withLock { $0.count } }

    // MARK: - Alarms

    /// What running an alarm came to.
    enum AlarmOutcome: Sendable, Equatable {
        /// `alarm()` returned.
        case ran
        /// `alarm()` threw; it runs again at `retryAt` (milliseconds), or never when `nil`.
        case failed(retryAt: Int64?)
        /// The object's alarm is not due at that time (deleted, or moved): nothing ran; `stored`
        /// is the alarm its file holds.
        case notDue(stored: Int64?)
        /// The object could not be built, or its storage not read (an initializer that throws):
        /// nothing ran, the alarm stays in its file, and is tried again at `retryAt`, as the
        /// platform retries an alarm after an internal error, without counting it.
        case unavailable(retryAt: Int64)
    }

    /// The platform's retry policy for a throwing `alarm()` (workerd's `alarm-scheduler.c++`): six
    /// retries, the first 2 s later, each wait twice the one before, at most 1024 s — without the
    /// platform's 0–25 % random jitter, so that a replay is the same every time.
    enum AlarmRetry {
        static let maximumRetries = 6
        static func delay(afterRetry retry: Int) -> Int64 { min(1_024_000, 2_000 << Int64(min(retry, 10))) }
    }

    /// Runs the alarm of `id` when it is due at `now` (milliseconds): `alarm()` with its retry
    /// count, then deletes it — or, when it threw, sets it again for its next retry.
    func runAlarm(_ id: DurableObjectId, now: Int64) async -> AlarmOutcome {
        do {
            return try await withInstance(id) { instance in
                let storage = instance.storage
                guard let scheduled = try storage.beginAlarm(dueAt: now) else { return .notDue(stored: try storage.storedAlarmForIndex()) }
                let retries = try storage.metadata("alarm_retries")?.int ?? 0
                do {
                    try await instance.object.alarm(AlarmInvocationInfo(retryCount: retries, scheduledTime: scheduled))
                    try storage.finishAlarm(retryAt: nil, retries: nil)
                    return .ran
                } catch {
                    let description = Self.describe(error)
                    if retries < AlarmRetry.maximumRetries {
                        let retryAt = now + AlarmRetry.delay(afterRetry: retries)
                        let replaced = try storage.finishAlarm(retryAt: retryAt, retries: retries + 1)
                        if replaced {
                            logger.warning("alarm() of \(className) \(id.hex) threw (\(description)); the alarm it set stands")
                            return .failed(retryAt: nil)
                        }
                        logger.warning("alarm() of \(className) \(id.hex) threw (\(description)); retry \(retries + 1) of \(AlarmRetry.maximumRetries) at \(Self.format(retryAt))")
                        return .failed(retryAt: retryAt)
                    }
                    try storage.finishAlarm(retryAt: nil, retries: nil)
                    logger.error("alarm() of \(className) \(id.hex) threw (\(description)) after \(retries) retries; the alarm is dropped")
                    return .failed(retryAt: nil)
                }
            }
        } catch {
            let retryAt = now + AlarmRetry.delay(afterRetry: 0)
            logger.error("the alarm of \(className) \(id.hex) could not run: \(Self.describe(error)); trying again at \(Self.format(retryAt))")
            return .unavailable(retryAt: retryAt)
        }
    }

    /// Runs `body` with the storage of `id` on the object's actor, as one of its steps: nothing of
    /// the object's runs between `body`'s reads and writes (the dashboard's edits, fixtures' seeds).
    func withStorageOnActor<T: Sendable>(_ id: DurableObjectId, _ body: @escaping @Sendable (ObjectStorage) throws -> T) async throws -> T {
        try await withInstance(id) { instance in try await Self.run(on: instance.object, instance.storage, body) }
    }

    private static func run<T: Sendable>(
        on object: isolated any DurableObject,
        _ storage: ObjectStorage,
        _ body: @Sendable (ObjectStorage) throws -> T
    ) throws -> T {
        try body(storage)
    }

    /// Whether `id` has a storage file.
    func exists(_ id: DurableObjectId) -> Bool {
        FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent("\(id.hex).sqlite"))
    }

    private static func describe(_ error: any Error) -> String {
        (error as? any BindingError)?.message ?? String(describing: error)
    }

    private static func format(_ milliseconds: Int64) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000).formatted(.iso8601)
    }
}
