import Drover
import DroverCLI
import DroverTestSupport
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The built `drover` binary as a process: the banner's URL with `--port 0`, graceful stop on
/// SIGINT and SIGTERM with a request in flight, and state that survives `kill -9`.
@Suite struct DroverProcessTests {
    /// The `drover` executable beside this test bundle in the build folder.
    static func binary() throws -> String {
        var directory = URL(
            fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        )
        for _ in 0..<4 {
            directory.deleteLastPathComponent()
            let candidate = directory.appendingPathComponent("drover").path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                FileManager.default.isExecutableFile(atPath: candidate)
            {
                return candidate
            }
        }
        throw RawHTTPError(
            description:
                "the drover binary was not found beside the test bundle (\(CommandLine.arguments[0])); build it with `swift build --build-tests`"
        )
    }

    /// A running `drover dev`.
    final class DevProcess: Sendable {
        /// What the process wrote to its standard error so far.
        final class Errors: Sendable {
            let text = Mutex("")
        }

        let process: ChildProcess
        private let written = Errors()

        init(arguments: [String], directory: String) throws {
            process = try ChildProcess(try DroverProcessTests.binary(), arguments, directory: directory, errors: .pipe)
            let written = self.written
            process.errors?.readabilityHandler = { handle in
                let data = handle.availableData
                if data.isEmpty {
                    handle.readabilityHandler = nil
                    return
                }
                written.text.withLock { $0 += String(decoding: data, as: UTF8.self) }
            }
        }

        var errors: String { written.text.withLock { $0 } }

        /// Waits for `Ready on http://HOST:PORT` and returns the port.
        func readyPort() async throws -> Int {
            try await eventually("the Ready banner", limit: .seconds(60)) {
                if self.errors.contains("Ready on http://") { return true }
                if !self.process.isRunning { throw RawHTTPError(description: "drover exited early:\n\(self.errors)") }
                return false
            }
            return try #require(errors.firstMatch(of: #/Ready on http://127\.0\.0\.1:(\d+)/#).flatMap { Int($0.output.1) })
        }

        func signal(_ number: Int32) {
            process.signal(number)
        }

        /// How the process ended; kills it with SIGKILL if it has not exited within `limit`.
        func exitStatus(limit: Duration = .seconds(60)) async -> ChildProcess.Termination {
            let timer = Task { [process] in
                try? await Task.sleep(for: limit)
                if !Task.isCancelled { process.signal(SIGKILL) }
            }
            defer { timer.cancel() }
            return await process.exit()
        }
    }

    static func dev(_ project: PlaygroundProject) throws -> DevProcess {
        try DevProcess(
            arguments: ["dev", "--port", "0", "--config", project.configPath, "--persist-to", project.statePath],
            directory: project.path
        )
    }

    /// Whether the server side of the connection from `clientPort` to `serverPort` has read every
    /// byte sent to it (its receive queue in /proc/net/tcp is empty).
    static func serverHasRead(serverPort: Int, clientPort: Int) -> Bool {
        // /proc files report a size of 0: read to the end rather than by the size.
        guard let handle = FileHandle(forReadingAtPath: "/proc/net/tcp") else { return false }
        defer { try? handle.close() }
        let table = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        func hex(_ port: Int) -> String {
            let digits = String(port, radix: 16, uppercase: true)
            return ":" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        }
        let local = hex(serverPort)
        let remote = hex(clientPort)
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 4, fields[1].hasSuffix(local), fields[2].hasSuffix(remote) else { continue }
            let queues = fields[4].split(separator: ":")
            return queues.count == 2 && Int(queues[1], radix: 16) == 0
        }
        return false
    }

    @Test func bannerPrintsTheRealURLForPortZero() async throws {
        let project = try PlaygroundProject.make()
        let dev = try Self.dev(project)
        let port = try await dev.readyPort()
        #expect(port > 0)
        #expect(!dev.errors.contains("Ready on http://127.0.0.1:0\n"))
        #expect(dev.errors.contains("env.KV"))
        let response = try await httpRequest(port: port, "GET", "/env")
        #expect(response.status == 200)
        #expect(try response.json()["greeting"]?.stringValue == "hello")
        dev.signal(SIGINT)
        #expect(await dev.exitStatus() == .exited(0))
    }

    @Test("-c twice: both workers start, the first is served, the second is named in the banner as running beside it")
    func twoConfigs() async throws {
        let first = try PlaygroundProject.make()
        let second = try PlaygroundProject.make {
            $0.replacingOccurrences(of: #"name = "playground""#, with: #"name = "sidecar""#)
                .replacingOccurrences(of: #"GREETING = "hello""#, with: #"GREETING = "from the sidecar""#)
        }
        let dev = try DevProcess(
            arguments: ["dev", "--port", "0", "-c", first.configPath, "--config", second.configPath], directory: first.path)
        let port = try await dev.readyPort()
        #expect(dev.errors.contains(#"worker "playground" from \#(second.configPath)"#))
        #expect(dev.errors.contains(#"Running beside it on http://sidecar.localhost:\#(port), and through service bindings to "sidecar""#))
        #expect(dev.errors.contains(#"worker "playground" from \#(first.configPath)"#))
        let response = try await httpRequest(port: port, "GET", "/env")
        #expect(try response.json()["greeting"]?.stringValue == "hello")
        // The other worker answers at its name under .localhost, with its own vars.
        let sidecar = try await httpRequest(port: port, "GET", "/env", headers: ["Host": "sidecar.localhost:\(port)"])
        #expect(try sidecar.json()["greeting"]?.stringValue == "from the sidecar")
        // Each worker keeps its state beside its own config.
        #expect(FileManager.default.fileExists(atPath: first.path + "/.drover/state"))
        #expect(FileManager.default.fileExists(atPath: second.path + "/.drover/state"))
        dev.signal(SIGINT)
        #expect(await dev.exitStatus() == .exited(0))
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func signalStopsGracefullyAfterTheRequestInFlight(signal: Int32) async throws {
        let project = try PlaygroundProject.make()
        let dev = try Self.dev(project)
        let port = try await dev.readyPort()
        let connection = try RawHTTPConnection(port: port)
        // A first exchange proves the connection is accepted and served.
        #expect(try await connection.send("GET", "/env").status == 200)
        // A slow query: a recursive count the handler is busy with while the signal arrives.
        let sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) SELECT count(*) AS n FROM c"
        try connection.write(RawHTTPConnection.requestBytes("POST", "/d1/query", body: #"{"sql": "\#(sql)", "params": []}"#))
        async let answer = connection.readResponse()
        let clientPort = connection.localPort
        try await eventually("the server to read the request") { Self.serverHasRead(serverPort: port, clientPort: clientPort) }
        dev.signal(signal)
        let response = try await answer
        #expect(response.status == 200)
        #expect(try response.json()["results"]?[0]?["n"] == .integer(3_000_000))
        #expect(await dev.exitStatus() == .exited(0))
        #expect(dev.errors.contains("Shutting down"))
    }

    @Test func stateSurvivesKillNine() async throws {
        let project = try PlaygroundProject.make()
        let first = try Self.dev(project)
        let port = try await first.readyPort()
        #expect(try await httpRequest(port: port, "PUT", "/kv/survivor", body: "still here").status == 201)
        // A Durable Object's count, and an alarm due while the server is down (set first, so the
        // delayed message below is sent just before the kill, as it always was).
        for _ in 0..<3 { #expect(try await httpRequest(port: port, "POST", "/do/counter/survivor/incr").status == 200) }
        #expect(try await httpRequest(port: port, "POST", "/do/counter/survivor/alarm", body: #"{"inMs": 4000}"#).status == 200)
        let insert = try await httpRequest(
            port: port,
            "POST",
            "/d1/query",
            body: #"{"sql": "INSERT INTO cron_runs (cron, scheduled_ms) VALUES (?, ?)", "params": ["kill-test", 42]}"#
        )
        #expect(insert.status == 200)
        #expect(try await httpRequest(port: port, "POST", "/queue/send", body: #"{"body": {"marker": "delayed"}, "delaySeconds": 8}"#).status == 202)
        // Not fired yet: it is the restarted server that fires it.
        #expect(try await httpRequest(port: port, "GET", "/do/counter/survivor").json()["alarms"] == 0)
        first.signal(SIGKILL)
        #expect(await first.exitStatus() == .signaled(SIGKILL))

        // While it is down, the CLI sees the delayed message still pending.
        let stats = try await QueuesCommandTests.stats(project)
        let waiting =
            (stats["jobs"]?["delayed"]?.integerValue ?? 0) + (stats["jobs"]?["pending"]?.integerValue ?? 0)
            + (stats["jobs"]?["inFlight"]?.integerValue ?? 0)
        #expect(waiting == 1, "\(stats)")

        let second = try Self.dev(project)
        let again = try await second.readyPort()
        let value = try await httpRequest(port: again, "GET", "/kv/survivor")
        #expect(value.status == 200)
        #expect(value.text == "still here")
        let rows = try await httpRequest(
            port: again,
            "POST",
            "/d1/query",
            body: #"{"sql": "SELECT scheduled_ms FROM cron_runs WHERE cron = 'kill-test'", "params": []}"#
        )
        #expect(try rows.json()["results"]?[0]?["scheduled_ms"] == .integer(42))
        try await eventually("the delayed message to be delivered after the restart") {
            let deliveries = try await DevServerTests.deliveries(port: again)
            return deliveries.contains { $0["msg"]?.stringValue?.contains("delayed") == true }
        }
        try await eventually("the alarm set before kill -9 to fire after the restart") {
            try await httpRequest(port: again, "GET", "/do/counter/survivor").json()["alarms"] == 1
        }
        let object = try await httpRequest(port: again, "GET", "/do/counter/survivor").json()
        #expect(object["count"] == 3)
        #expect(object["alarm"] == .null)
        second.signal(SIGTERM)
        #expect(await second.exitStatus() == .exited(0))
    }

    @Test func reloadsWhenTheConfigFileChangesAndKeepsServingOnABrokenOne() async throws {
        let project = try PlaygroundProject.make()
        let dev = try Self.dev(project)
        let port = try await dev.readyPort()
        // An alarm set before the reload fires after it (Miniflare loses these: workers-sdk #5948).
        #expect(try await httpRequest(port: port, "POST", "/do/counter/reloaded/alarm", body: #"{"inMs": 2000}"#).status == 200)
        let config = try String(contentsOfFile: project.configPath, encoding: .utf8)
        try config.replacingOccurrences(of: #"GREETING = "hello""#, with: #"GREETING = "bonjour""#)
            .write(toFile: project.configPath, atomically: true, encoding: .utf8)
        try await eventually("the new GREETING to be served") {
            try await httpRequest(port: port, "GET", "/env").json()["greeting"]?.stringValue == "bonjour"
        }
        try await eventually("the alarm set before the reload to fire after it") {
            try await httpRequest(port: port, "GET", "/do/counter/reloaded").json()["alarms"] == 1
        }
        try config.replacingOccurrences(of: #"GREETING = "hello""#, with: "GREETING = [1,")
            .write(toFile: project.configPath, atomically: true, encoding: .utf8)
        try await eventually("the reload error to be logged") { dev.errors.contains("reload failed") }
        #expect(dev.errors.contains(#/wrangler-like\.toml:\d+:\d+/#))
        #expect(try await httpRequest(port: port, "GET", "/env").json()["greeting"]?.stringValue == "bonjour")
        // A .dev.vars file appearing is a change too: the secret becomes visible (never its value).
        try "API_TOKEN=t0ken\n".write(toFile: project.path + "/.dev.vars", atomically: true, encoding: .utf8)
        try config.write(toFile: project.configPath, atomically: true, encoding: .utf8)
        try await eventually("the token and the old GREETING to be served") {
            let env = try await httpRequest(port: port, "GET", "/env").json()
            return env["hasToken"] == .bool(true) && env["greeting"]?.stringValue == "hello"
        }
        #expect(!dev.errors.contains("t0ken"))
        dev.signal(SIGINT)
        #expect(await dev.exitStatus() == .exited(0))
    }

    @Test func aPortInUseIsAClearFailure() async throws {
        let project = try PlaygroundProject.make()
        let first = try Self.dev(project)
        let port = try await first.readyPort()
        let other = try PlaygroundProject.make()
        let second = try DevProcess(
            arguments: ["dev", "--port", String(port), "--config", other.configPath, "--persist-to", other.statePath],
            directory: other.path
        )
        #expect(await second.exitStatus() == .exited(1))
        #expect(second.errors.contains("error:"))
        #expect(second.errors.contains(String(port)))
        first.signal(SIGTERM)
        #expect(await first.exitStatus() == .exited(0))
    }
}
