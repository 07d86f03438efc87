import Drover
import DroverConfig
import DroverRuntime
import DroverTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Where `drover dev` behaves as the platform and `wrangler dev` do: the client's address,
/// `.dev.vars` over `[vars]`, `--var`, bindings Drover does not emulate; through the real binary
/// and a real socket.
@Suite struct PlatformFidelityTests {
    @Test("CF-Connecting-IP is the client's address, whatever the client sent in it; .dev.vars replaces the var and stays hidden")
    func devServerAsThePlatform() async throws {
        let project = try PlaygroundProject.make {
            $0.replacingOccurrences(of: "compatibility_date = \"2026-01-01\"", with: "compatibility_date = \"2026-01-01\"\ncompatibility_flags = [\"nodejs_compat\"]")
                + "\n[[r2_buckets]]\nbinding = \"BUCKET\"\nbucket_name = \"files\"\n"
        }
        try project.write(".dev.vars", "GREETING=greeting-from-dev-vars\n")
        let dev = try DroverProcessTests.dev(project)
        let port = try await dev.readyPort()

        let echoed = try await httpRequest(port: port, "GET", "/request?a=1", headers: ["CF-Connecting-IP": "203.0.113.9", "X-Trace": "t"])
        #expect(echoed.status == 200)
        let json = try echoed.json()
        #expect(json["method"]?.stringValue == "GET")
        #expect(json["url"]?.stringValue == "http://localhost/request?a=1")  // the Host the client sent
        #expect(json["headers"]?["cf-connecting-ip"]?.stringValue == "127.0.0.1")
        #expect(json["headers"]?["x-trace"]?.stringValue == "t")

        let env = try await httpRequest(port: port, "GET", "/env")
        #expect(try env.json()["greeting"]?.stringValue == "greeting-from-dev-vars")
        // The banner names the binding it does not emulate and never prints the .dev.vars value.
        #expect(dev.errors.contains("env.BUCKET  R2 bucket ([[r2_buckets]])"))
        #expect(dev.errors.contains("env.GREETING  var (hidden: from .dev.vars)"))
        #expect(!dev.errors.contains("env.GREETING  secret"), "listed once")
        #expect(!dev.errors.contains("greeting-from-dev-vars"))
        #expect(dev.errors.contains("Compatibility date 2026-01-01, flags nodejs_compat (shown, not emulated)"))
        dev.signal(SIGINT)
        #expect(await dev.exitStatus() == .exited(0))
    }

    @Test("--var KEY:VALUE wins over .dev.vars and [vars]; -c and --local are taken as wrangler takes them")
    func varFlagAndWranglerFlags() async throws {
        let project = try PlaygroundProject.make()
        try project.write(".dev.vars", "GREETING=from-dev-vars\n")
        let dev = try DroverProcessTests.DevProcess(
            arguments: ["dev", "--port", "0", "-c", project.configPath, "--persist-to", project.statePath, "--local", "--var", "GREETING:a:b"],
            directory: project.path
        )
        let port = try await dev.readyPort()
        let env = try await httpRequest(port: port, "GET", "/env")
        #expect(try env.json()["greeting"]?.stringValue == "a:b", "split at the first colon only")
        dev.signal(SIGINT)
        #expect(await dev.exitStatus() == .exited(0))
    }

    @Test("a binding the config declares but Drover does not emulate explains itself when a handler reaches for it")
    func notEmulatedBindingExplainsItself() async throws {
        let project = try PlaygroundProject.make {
            $0.replacingOccurrences(of: #"main = "playground""#, with: #"main = "bucket-user""#)
                + "\n[[r2_buckets]]\nbinding = \"BUCKET\"\nbucket_name = \"files\"\n"
        }
        var registry = PlaygroundProject.registry
        registry.register(
            "bucket-user",
            ClosureWorker(fetch: { _, env, _ in
                do {
                    _ = try env.kv("BUCKET")
                    return Response("reached")
                } catch {
                    return Response("\(error)", status: 501)
                }
            })
        )
        let logger = Logger(label: "drover", level: .info, sink: MemoryLogSink())
        let runtime = try await project.runtimeFactory(logger: logger, registry: registry)()
        let response = await runtime.host.fetch(try Request(url: "http://localhost/"))
        #expect(response.status == 501)
        let text = try await response.text()
        #expect(text.contains("binding \"BUCKET\" (R2 bucket, declared by [[r2_buckets]] in ") && text.contains("is not emulated by Drover"))
        await runtime.shutdown()
    }
}
