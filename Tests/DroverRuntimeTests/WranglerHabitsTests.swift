import Drover
import DroverCLI
import Foundation
import Testing

/// wrangler's command-line habits: its flag letters, `--local`, `--remote`, `-y`, `--var`,
/// `secret bulk` (https://developers.cloudflare.com/workers/wrangler/commands/).
@Suite struct WranglerHabitsTests {
    private func project() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        let config = "name = \"x\"\nmain = \"x\"\n[vars]\nA = \"top\"\n[env.staging.vars]\nA = \"staging\"\n"
        try config.write(toFile: directory.path + "/app.toml", atomically: true, encoding: .utf8)
        return directory
    }

    @Test("-c and -e are --config and --env; --local is accepted on every state command")
    func shortFlags() async throws {
        let directory = try project()
        let long = await CommandLineTests.run(["config", "print", "--json", "--config", "app.toml", "--env", "staging"], in: directory.path)
        let short = await CommandLineTests.run(["config", "print", "--json", "-c", "app.toml", "-e", "staging", "--local"], in: directory.path)
        #expect(long.status == 0 && short.status == 0, "\(short.errors)")
        #expect(short.output == long.output)
        #expect(short.output.contains(#""A" : "staging""#) || short.output.contains(#""A": "staging""#))
        for command in [["secret", "list"], ["queues", "list"], ["d1", "info", "DB"], ["kv", "key", "list", "--binding", "K"]] {
            let result = await CommandLineTests.run(command + ["-c", "app.toml", "--local"], in: directory.path)
            #expect(!result.errors.contains("unknown option"), "\(command): \(result.errors)")
        }
    }

    @Test("--remote is refused with a message saying Drover has no remote")
    func remoteIsRefused() async throws {
        let directory = try project()
        let result = await CommandLineTests.run(["secret", "list", "-c", "app.toml", "--remote"], in: directory.path)
        #expect(result.status == 1)
        #expect(result.errors.contains("--remote: Drover has no remote"))
    }

    @Test("an unknown letter is named as the option written")
    func unknownShortFlag() async throws {
        let result = await CommandLineTests.run(["secret", "list", "-z"])
        #expect(result.status == 64)
        #expect(result.errors.contains("unknown option '-z'"))
    }

    @Test("--var takes KEY:VALUE and refuses anything else before starting", arguments: ["NOCOLON", ":value", "1BAD:x"])
    func varFlagIsChecked(entry: String) async throws {
        let directory = try project()
        let result = await CommandLineTests.run(["dev", "-c", "app.toml", "--var", entry], in: directory.path)
        #expect(result.status == 64)
        #expect(result.errors.contains("--var"))
    }

    @Test("secret bulk stores a JSON object or .env lines in one write, and never prints a value")
    func secretBulk() async throws {
        let directory = try project()
        try #"{"API_TOKEN": "tok-json", "WEBHOOK_SECRET": "whsec-json"}"#.write(toFile: directory.path + "/s.json", atomically: true, encoding: .utf8)
        let json = await CommandLineTests.run(["secret", "bulk", "s.json", "-c", "app.toml"], in: directory.path)
        #expect(json.status == 0, "\(json.errors)")
        #expect(json.output == "Stored 2 secrets: API_TOKEN, WEBHOOK_SECRET\n")
        let dotenv = await CommandLineTests.run(
            ["secret", "bulk", "-c", "app.toml"],
            in: directory.path,
            stdin: "# from .env\nAPI_TOKEN=tok-env\nexport OTHER=\"o\"\n"
        )
        #expect(dotenv.status == 0, "\(dotenv.errors)")
        let stored = try String(contentsOfFile: directory.path + "/.drover/state/secrets.json", encoding: .utf8)
        #expect(stored.contains("tok-env") && stored.contains("whsec-json") && stored.contains("\"OTHER\""))
        for run in [json, dotenv] { #expect(!run.output.contains("tok-") && !run.errors.contains("tok-")) }
    }

    @Test(
        "secret bulk stores nothing when one entry is wrong, and the error names no value",
        arguments: [
            (#"{"GOOD": "g-value", "1BAD": "b-value"}"#, "invalid secret name \"1BAD\""),
            (#"{"GOOD": "g-value", "NUM": 5}"#, "the value of \"NUM\" must be a JSON string"),
            (#"{"GOOD": "g-value", "#, "not valid JSON"),
            ("GOOD=g-value\nBAD LINE b-value\n", "standard input:2:"),
        ]
    )
    func secretBulkIsAllOrNothing(input: String, message: String) async throws {
        let directory = try project()
        let result = await CommandLineTests.run(["secret", "bulk", "-", "-c", "app.toml"], in: directory.path, stdin: input)
        #expect(result.status != 0)
        #expect(result.errors.contains(message), "\(result.errors)")
        #expect(!result.errors.contains("g-value") && !result.errors.contains("b-value"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/.drover/state/secrets.json"))
    }
}
