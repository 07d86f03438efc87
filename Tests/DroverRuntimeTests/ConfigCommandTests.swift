import Drover
import Foundation
import Testing

/// `drover config print` and the exit codes every command shares.
@Suite struct ConfigCommandTests {
    @Test func printsThePlaygroundConfigAsText() async throws {
        let project = try PlaygroundProject.make()
        let result = await project.cli(["config", "print"], persist: false)
        #expect(result.status == 0)
        for name in ["KV", "DB", "JOBS", "jobs-dlq", "GREETING", "*/5 * * * *"] {
            #expect(result.output.contains(name), "missing \(name)")
        }
    }

    @Test func printsThePlaygroundConfigAsJSONWithItsBindings() async throws {
        let project = try PlaygroundProject.make()
        let result = await project.cli(["config", "print", "--json"], persist: false)
        #expect(result.status == 0)
        let json = try JSONParser.parse(result.output)
        let text = JSONSerializer.string(json)
        #expect(json["main"]?.stringValue == "playground")
        for name in ["\"KV\"", "\"playground-kv\"", "\"DB\"", "\"JOBS\"", "\"jobs\"", "\"jobs-dlq\"", "\"GREETING\"", "\"hello\""] {
            #expect(text.contains(name), "missing \(name)")
        }
    }

    @Test func aConfigErrorIsLocatedAndExitsOne() async throws {
        let project = try PlaygroundProject.make {
            $0.replacingOccurrences(
                of: "max_batch_size = 10\nmax_batch_timeout = 1\nmax_retries = 2",
                with: "max_batch_size = \"ten\"\nmax_batch_timeout = 1\nmax_retries = 2"
            )
        }
        let result = await project.cli(["config", "print"], persist: false)
        #expect(result.status == 1)
        let line = try #require(result.errors.split(separator: "\n").first { $0.contains("wrangler-like.toml:") })
        let match = try #require(line.firstMatch(of: #/wrangler-like\.toml:(\d+):(\d+): (.+)/#))
        let config = try String(contentsOfFile: project.configPath, encoding: .utf8)
        let lineNumber = try #require(Int(match.output.1))
        let lines = config.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[lineNumber - 1].contains("max_batch_size"), "points at \(lines[lineNumber - 1])")
        #expect(result.output.isEmpty)
    }

    @Test(arguments: [
        (["config", "print", "--jsn"], Int32(64)),
        (["kv", "key", "get", "k"], Int32(64)),  // missing --binding
        (["d1", "execute", "DB"], Int32(64)),  // neither --command nor --file
        (["queues", "send", "jobs"], Int32(64)),  // missing BODY
        (["kv", "key", "get", "nope", "--binding", "KV"], Int32(1)),
        (["d1", "execute", "NOPE", "--command", "SELECT 1"], Int32(1)),
        (["d1", "execute", "DB", "--command", "SELECT 1"], Int32(0)),
    ])
    func exitCodes(arguments: [String], status: Int32) async throws {
        let project = try PlaygroundProject.make()
        let result = await project.cli(arguments)
        #expect(result.status == status, "\(arguments): \(result.errors)")
        if status == 64 { #expect(result.errors.contains("Usage: drover")) }
        if status == 1 { #expect(result.errors.hasPrefix("error: ") || result.errors.contains("not found")) }
    }
}
