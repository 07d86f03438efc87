import Drover
import DroverCLI
import DroverRuntime
import DroverTestSupport
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `drover deploy` and `drover rollback` (run in-process) against the built `drover dev` (a real
/// process on a copy of the playground), with requests and queue messages in flight.
@Suite struct DeployTests {
    /// What a stream of requests saw.
    final class Seen: Sendable {
        let greetings = Mutex<[String]>([])
        let failures = Mutex<[String]>([])
        let stop = Atomic<Bool>(false)

        var last: String? { greetings.withLock { $0.last } }
    }

    /// How many responses said what.
    final class Tally: Sendable {
        let counts = Mutex<[String: Int]>([:])
    }

    /// Sends `GET /env` over and over until stopped, four at a time, recording each greeting.
    static func stream(port: Int, into seen: Seen) -> Task<Void, Never> {
        Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        while !seen.stop.load(ordering: .relaxed) {
                            do {
                                let response = try await httpRequest(port: port, "GET", "/env")
                                guard response.status == 200, let greeting = try response.json()["greeting"]?.stringValue else {
                                    seen.failures.withLock { $0.append("status \(response.status)") }
                                    continue
                                }
                                seen.greetings.withLock { $0.append(greeting) }
                            } catch {
                                seen.failures.withLock { $0.append("\(error)") }
                            }
                        }
                    }
                }
            }
        }
    }

    static func setGreeting(_ project: PlaygroundProject, _ greeting: String) throws {
        let config = try String(contentsOfFile: project.configPath, encoding: .utf8)
        let edited = config.replacingOccurrences(of: #"GREETING = "[^"]*""#, with: "GREETING = \"\(greeting)\"", options: .regularExpression)
        try edited.write(toFile: project.configPath, atomically: true, encoding: .utf8)
    }

    @Test("deploy, deploy again, roll back while requests stream in: none fails, each switch is picked up, the log names the version")
    func switchesUnderLoad() async throws {
        let project = try PlaygroundProject.make()
        let dev = try DroverProcessTests.dev(project)
        let port = try await dev.readyPort()
        let seen = Seen()
        let traffic = Self.stream(port: port, into: seen)

        let first = await project.cli(["deploy", "--message", "first"])
        #expect(first.status == 0, "\(first.errors)")
        #expect(first.output.contains("Deployment 1: version 1 at 100%"))
        #expect(first.output.contains("now serves deployment 1"), "\(first.output)")
        try Self.setGreeting(project, "hello from version 2")
        let second = await project.cli(["deploy", "--message", "second"])
        #expect(second.status == 0, "\(second.errors)")
        // The deploy returns once the server has switched: a request sent after it reaches version 2.
        #expect(second.output.contains("now serves deployment 2"), "\(second.output)")
        #expect(try await httpRequest(port: port, "GET", "/env").json()["greeting"] == "hello from version 2")
        try await eventually("version 2 to serve", limit: .seconds(60)) { seen.last == "hello from version 2" }
        let rollback = await project.cli(["rollback"])
        #expect(rollback.status == 0, "\(rollback.errors)")
        #expect(rollback.output.contains("Rolled back to version 1"))
        try await eventually("version 1 to serve again", limit: .seconds(60)) { seen.last == "hello" }

        seen.stop.store(true, ordering: .relaxed)
        await traffic.value
        #expect(seen.failures.withLock { $0 }.isEmpty, "requests failed during the switches: \(seen.failures.withLock { $0.prefix(5) })")
        #expect(Set(seen.greetings.withLock { $0 }) == ["hello", "hello from version 2"])
        let list = await project.cli(["deployments", "list"])
        #expect(list.output.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).prefix(1).joined() } == ["1", "2", "3"])
        #expect(list.output.contains("rollback  1@100%"))
        let store = VersionStore(stateDirectory: project.statePath)
        #expect(store.serving()?.deployment == 3)
        dev.signal(SIGINT)
        #expect(await dev.exitStatus() == .exited(0))
        #expect(dev.errors.contains("version=2"))
        #expect(dev.errors.contains("serving version 2"))
        // A stopped server leaves no record: the next deploy does not wait for it.
        #expect(store.serving() == nil)
        #expect(!FileManager.default.fileExists(atPath: store.servingPath))
    }

    @Test("a deploy waits for the running server to switch, and says so when none runs or it has stopped")
    func awaitsTheServer() async throws {
        let directory = try TemporaryDirectory()
        let store = VersionStore(stateDirectory: directory.path)
        #expect(await DeployCommand.awaitServer(on: store, deployment: 1) == "No drover dev runs on \(directory.path): the next one started there serves deployment 1.")
        // This process plays the server: serving its config file, then deployment 1 a little later.
        try store.markServing(nil)
        #expect(store.serving() == ServingRecord(deployment: nil, pid: getpid()))
        // The "server" switches on a thread of its own, as a server process would, not on the
        // cooperative pool the waiting deploy shares with the rest of the tests.
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(300)) { try? store.markServing(1) }
        #expect(
            await DeployCommand.awaitServer(on: store, deployment: 1, timeout: .seconds(120)) == "drover dev (pid \(getpid())) now serves deployment 1.")
        // One that never switches: the wait ends and says what it still serves.
        #expect(
            await DeployCommand.awaitServer(on: store, deployment: 2, timeout: .milliseconds(200))
                == "drover dev (pid \(getpid())) still serves deployment 1 after 0.2 seconds: its log says why.")
        store.unmarkServing()
        #expect(store.serving() == nil)
        // A server killed with kill -9 leaves its record behind: its process is gone, so no server runs.
        let gone = try JSONEncoder().encode(ServingRecord(deployment: 1, pid: Int32.max))
        #expect(FileManager.default.createFile(atPath: store.servingPath, contents: gone))
        #expect(store.serving() == nil)
        // Nor when it has exited and nobody has reaped it yet: a zombie still answers kill(pid, 0).
        var child: pid_t = 0
        let arguments: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { free(arguments[0]) }
        #expect(posix_spawn(&child, "/bin/true", nil, nil, arguments, environ) == 0)
        var info = siginfo_t()
        #expect(waitid(P_PID, id_t(child), &info, WEXITED | WNOWAIT) == 0)  // exited, not reaped
        #expect(kill(child, 0) == 0)
        let zombie = try JSONEncoder().encode(ServingRecord(deployment: 1, pid: child))
        #expect(FileManager.default.createFile(atPath: store.servingPath, contents: zombie))
        #expect(store.serving() == nil)
        var status: Int32 = 0
        waitpid(child, &status, 0)
    }

    @Test("a version that cannot open — an unregistered worker, a migration that fails — is refused, and the active one keeps serving")
    func refusesBadVersions() async throws {
        let project = try PlaygroundProject.make()
        #expect(await project.cli(["deploy"]).status == 0)
        let dev = try DroverProcessTests.dev(project)
        let port = try await dev.readyPort()

        let config = try String(contentsOfFile: project.configPath, encoding: .utf8)
        try config.replacingOccurrences(of: #"main = "playground""#, with: #"main = "not-compiled-in""#)
            .write(toFile: project.configPath, atomically: true, encoding: .utf8)
        let unregistered = await project.cli(["deploy"])
        #expect(unregistered.status != 0)
        #expect(unregistered.errors.contains("refused"))
        #expect(unregistered.errors.contains("not-compiled-in"))
        try config.write(toFile: project.configPath, atomically: true, encoding: .utf8)

        try "CREATE TABLE broken (;\n".write(toFile: project.path + "/migrations/9999_broken.sql", atomically: true, encoding: .utf8)
        let broken = await project.cli(["deploy"])
        #expect(broken.status != 0)
        #expect(broken.errors.contains("refused"))
        try FileManager.default.removeItem(atPath: project.path + "/migrations/9999_broken.sql")

        // Neither became a version; version 1 still serves.
        let versions = await project.cli(["versions", "list"])
        #expect(versions.output.split(separator: "\n").count == 1)
        let status = await project.cli(["deployments", "status"])
        #expect(status.output.contains("deploy  1@100%"))
        #expect(try await httpRequest(port: port, "GET", "/env").status == 200)
        dev.signal(SIGINT)
        #expect(await dev.exitStatus() == .exited(0))
    }

    @Test("queue messages sent while the server switches versions twice are each delivered once: consumers move over without losing or repeating a batch")
    func consumersMoveOver() async throws {
        let project = try PlaygroundProject.make()
        let dev = try DroverProcessTests.dev(project)
        let port = try await dev.readyPort()
        // Messages keep arriving before, during and after each switch: at least ten in each phase,
        // and until the server says it serves the new version.
        var count = 0
        func send(until done: () -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(60)
            var inPhase = 0
            while inPhase < 10 || !done() {
                guard ContinuousClock.now < deadline else { throw RawHTTPError(description: "the switch did not happen") }
                let response = try await httpRequest(port: port, "POST", "/queue/send", body: #"{"body": {"n": \#(count)}}"#)
                #expect(response.status == 202)
                count += 1
                inPhase += 1
            }
        }
        try await send { true }
        #expect(await project.cli(["deploy"]).status == 0)
        try await send { dev.errors.contains("serving version 1") }
        try Self.setGreeting(project, "v2")
        #expect(await project.cli(["deploy"]).status == 0)
        try await send { dev.errors.contains("serving version 2") }
        try await send { true }
        let sent = count
        try await eventually("every message to be delivered", limit: .seconds(120)) {
            try await DevServerTests.deliveries(port: port).count >= sent
        }
        let delivered = try await DevServerTests.deliveries(port: port).compactMap { $0["msg"]?.stringValue }
        let numbers = delivered.compactMap { try? JSONParser.parse($0)["n"]?.integerValue }
        #expect(numbers.count == sent, "\(numbers.count) deliveries for \(sent) messages")
        #expect(Set(numbers) == Set((0..<sent).map(Int64.init)))
        dev.signal(SIGINT)
        #expect(await dev.exitStatus() == .exited(0))
    }

    @Test("versions deploy 1@90 2@10 splits 10,000 requests within 3 points; a version key is sticky, an override picks its version")
    func gradualRollout() async throws {
        let project = try PlaygroundProject.make()
        let dev = try DroverProcessTests.DevProcess(
            arguments: ["dev", "--port", "0", "--config", project.configPath, "--persist-to", project.statePath, "--version-key-cookie", "sid"],
            directory: project.path)
        let port = try await dev.readyPort()
        #expect(await project.cli(["deploy"]).status == 0)
        try Self.setGreeting(project, "two")
        #expect(await project.cli(["deploy"]).status == 0)
        let split = await project.cli(["versions", "deploy", "1@90", "2@10", "--message", "canary"])
        #expect(split.status == 0, "\(split.errors)")
        try await eventually("the split to serve", limit: .seconds(60)) {
            let health = try await httpRequest(port: port, "GET", "/__drover/health").json()
            return health["versions"]?.arrayValue?.count == 2
        }

        let total = 10_000
        let tally = Tally()
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for _ in stride(from: worker, to: total, by: 8) {
                        let greeting = (try? await httpRequest(port: port, "GET", "/env").json()["greeting"]?.stringValue) ?? "failed"
                        tally.counts.withLock { $0[greeting, default: 0] += 1 }
                    }
                }
            }
        }
        let seen = tally.counts.withLock { $0 }
        #expect(seen["failed"] == nil)
        let second = Double(seen["two"] ?? 0) / Double(total) * 100
        #expect(abs(second - 10) <= 3, "version 2 served \(second) % of the requests, not 10 ± 3")
        #expect((seen["hello"] ?? 0) + (seen["two"] ?? 0) == total)

        // Version affinity: one key, one version, however many requests.
        for key in ["user-1", "user-2", "user-3", "user-4"] {
            var greetings: Set<String> = []
            // 50 requests: at random, a 90/10 split would mix them with 99.5 % certainty.
            for _ in 0..<50 {
                let response = try await httpRequest(port: port, "GET", "/env", headers: ["Cloudflare-Workers-Version-Key": key])
                greetings.insert(try response.json()["greeting"]?.stringValue ?? "")
            }
            #expect(greetings.count == 1, "\(key) was served by \(greetings)")
        }
        // The cookie named by --version-key-cookie keeps a client on one version the same way.
        var byCookie: Set<String> = []
        for _ in 0..<50 {
            let response = try await httpRequest(port: port, "GET", "/env", headers: ["Cookie": "theme=dark; sid=abc123"])
            byCookie.insert(try response.json()["greeting"]?.stringValue ?? "")
        }
        #expect(byCookie.count == 1, "a cookie-keyed client was served by \(byCookie)")
        // An override names the version, whatever the shares.
        for _ in 0..<10 {
            let response = try await httpRequest(port: port, "GET", "/env", headers: ["Cloudflare-Workers-Version-Overrides": #"playground="2""#])
            #expect(try response.json()["greeting"] == "two")
        }
        dev.signal(SIGINT)
        #expect(await dev.exitStatus() == .exited(0))
        #expect(dev.errors.contains("version=2"))
    }

    @Test("versions deploy refuses shares that do not add up to 100, unknown versions, and more than two")
    func refusesBadSplits() async throws {
        let project = try PlaygroundProject.make()
        #expect(await project.cli(["deploy"]).status == 0)
        #expect(await project.cli(["deploy"]).status == 0)
        for words in [["1@50", "2@60"], ["1@90"], ["1@90", "7@10"], ["1@30", "2@30", "1@40"], ["1@-5", "2@105"], ["x@100"]] {
            let run = await project.cli(["versions", "deploy"] + words)
            #expect(run.status != 0, "\(words)")
        }
        #expect(await project.cli(["versions", "deploy", "2"]).status == 0)
        #expect((await project.cli(["deployments", "status"])).output.contains("versions deploy  2@100%"))
        // Rolling back a split returns to the version before the newest one serving.
        #expect(await project.cli(["versions", "deploy", "1@80", "2@20"]).status == 0)
        let rollback = await project.cli(["rollback"])
        #expect(rollback.output.contains("Deployment 5: version 1 at 100%"), "\(rollback.output)\(rollback.errors)")
    }

    @Test("the version store: concurrent writers take distinct numbers; a number claimed but never written is passed over")
    func versionStore() async throws {
        let directory = try TemporaryDirectory()
        let store = VersionStore(stateDirectory: directory.path)
        let ids = await withTaskGroup(of: Int.self) { group in
            for index in 0..<20 {
                group.addTask {
                    (try? store.create { id in
                        WorkerVersion(
                            id: id, createdAt: "2026-01-01T00:00:00Z", message: "\(index)", worker: "w", name: nil, configPath: "/c.toml",
                            environment: nil, configHash: "h", config: "")
                    })?.id ?? 0
                }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(Set(ids) == Set(1...20))
        // A writer that claimed 21 and died before writing it.
        #expect(FileManager.default.createFile(atPath: store.directory + "/versions/21.json", contents: Data()))
        #expect(try store.versions().map(\.id) == Array(1...20))
        let next = try store.create { id in
            WorkerVersion(id: id, createdAt: "2026-01-01T00:00:00Z", message: nil, worker: "w", name: nil, configPath: "/c.toml", environment: nil, configHash: "h", config: "")
        }
        #expect(next.id == 22)
    }

    @Test("every deployment command has --help")
    func help() async {
        for command in [["deploy"], ["versions", "list"], ["versions", "deploy"], ["deployments", "list"], ["deployments", "status"], ["rollback"]] {
            let run = await CLIRun.run(command + ["--help"], in: NSTemporaryDirectory(), registry: PlaygroundProject.registry)
            #expect(run.status == 0)
            #expect(run.output.contains("Usage: drover \(command.joined(separator: " "))"), "\(command)")
        }
    }
}
