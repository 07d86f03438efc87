import Drover
import DroverConfig
import DroverD1
import DroverKV
import DroverQueues
import DroverRuntime
import Foundation

/// Runs one fixture (Docs/fixtures.md) in-process: a fresh temporary state directory, a frozen clock,
/// recorded upstreams for outbound `fetch`, the worker called without sockets.
package struct FixtureRunner: Sendable {
    /// The folder a fixture's `config` starting with `/` is resolved against, and where
    /// `wrangler-like.toml` is the default config.
    package var projectRoot: String
    /// The workers fixtures can name through their config's `main`.
    package var registry: WorkerRegistry
    /// Whether failing request steps have their `expect` rewritten from what happened.
    package var update: Bool
    /// The process environment, for `${NAME}` placeholders.
    package var environment: [String: String]

    package init(
        projectRoot: String,
        registry: WorkerRegistry,
        update: Bool = false,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.projectRoot = projectRoot
        self.registry = registry
        self.update = update
        self.environment = environment
    }

    /// Where each fixture's temporary state directory is made: `TMPDIR` when it is set; else
    /// `/dev/shm` when it is a writable memory file system with at least 1 GiB free; else the
    /// system's temporary folder.
    ///
    /// Replay state is thrown away after every fixture, so a disk file system's journal and the
    /// stores' `fsync`s are pure cost: 1 000 one-request fixtures took 5 to 18 s with state under an
    /// ext4 `/tmp` and about 1.2 s under `/dev/shm` on the same 2-core machine
    /// (`Benchmarks replay --run 1000`).
    package static let stateRoot: String = {
        let fileManager = FileManager.default
        let fallback = fileManager.temporaryDirectory.path
        if let set = ProcessInfo.processInfo.environment["TMPDIR"], !set.isEmpty { return fallback }
        let memory = "/dev/shm"
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: memory, isDirectory: &isDirectory), isDirectory.boolValue,
            fileManager.isWritableFile(atPath: memory),
            let free = (try? fileManager.attributesOfFileSystem(forPath: memory))?[.systemFreeSize] as? NSNumber,
            free.int64Value >= 1 << 30
        else { return fallback }
        return memory
    }()

    /// Loads and runs the fixture at `path`. Never throws: every problem is in the result.
    /// - Parameter filter: run only when the fixture's name or path contains it; else a skip.
    package func run(path: String, filter: String? = nil) async -> FixtureResult? {
        let start = ContinuousClock.now
        var fixture: Fixture
        do {
            fixture = try Fixture.load(path: path)
        } catch {
            return FixtureResult(file: path, error: error)
        }
        guard FixtureDiscovery.matches(path: path, name: fixture.name, filter: filter) else { return nil }
        let configPath = fixture.configPath(projectRoot: projectRoot)
        do {
            let devVars = try DevVars.load(
                configDirectory: (configPath as NSString).deletingLastPathComponent,
                environment: fixture.env
            )
            let resolver = SecretPlaceholderResolver(
                devVars: devVars?.values.mapValues { $0.reveal() } ?? [:],
                environment: environment
            )
            fixture = try resolver.resolve(fixture)
        } catch let error as ReplayError {
            return FixtureResult(file: path, name: fixture.name, error: error)
        } catch {
            return FixtureResult(file: path, name: fixture.name, failures: [], errors: ["\(path): \(error)"])
        }

        let state = (Self.stateRoot as NSString).appendingPathComponent("drover-replay-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let sink = MemoryLogSink()
        let session = ReplaySession(
            fixture: fixture,
            configPath: configPath,
            stateDirectory: state,
            registry: registry,
            projectRoot: projectRoot,
            sink: sink
        )
        var failures: [CheckFailure] = []
        var errors: [String] = []
        var updates: [Int: FixtureUpdater.ActualResponse] = [:]
        do {
            try await session.open()
            try await session.seed()
            for step in fixture.steps {
                let outcome = try await session.perform(step)
                failures += outcome.failures
                if !outcome.failures.isEmpty, let actual = outcome.actual { updates[step.index] = actual }
            }
            failures += try await session.checkEnd()
        } catch let error as ReplayStepError {
            errors.append("\(fixture.file): \(error.path): \(error.message)")
        } catch {
            errors.append("\(fixture.file): \(error)")
        }
        await session.close()
        if update, !updates.isEmpty {
            do {
                _ = try FixtureUpdater.update(fixture, responses: updates, secrets: session.secretBindings)
            } catch {
                errors.append("\(fixture.file): could not update: \(error)")
            }
        }
        return FixtureResult(
            file: fixture.file,
            name: fixture.name,
            failures: failures,
            errors: errors,
            duration: start.duration(to: .now),
            logLines: sink.lines
        )
    }
}
