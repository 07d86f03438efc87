import Drover
import DroverCLI
import Foundation
import Testing

/// The CLI's entry point called with argv arrays, output captured.
@Suite struct CommandLineTests {
    static func run(_ arguments: [String], in directory: String = FileManager.default.temporaryDirectory.path, stdin: String = "") async -> CLIRun {
        await CLIRun.run(arguments, in: directory, stdin: stdin, registry: WorkerRegistry())
    }

    @Test func helpListsEveryCommand() async {
        let result = await Self.run(["--help"])
        #expect(result.status == 0)
        for command in ["dev", "config print", "secret put", "kv key put", "d1 execute", "queues list", "replay"] {
            #expect(result.output.contains(command), "missing \(command)")
        }
    }

    @Test func noArgumentsIsAUsageError() async {
        let result = await Self.run([])
        #expect(result.status == 64)
        #expect(result.output.contains("Usage: drover COMMAND"))
    }

    @Test func commandHelpDescribesEveryFlag() async {
        let result = await Self.run(["dev", "--help"])
        #expect(result.status == 0)
        for flag in ["--port", "--ip", "--config", "--env", "--persist-to", "--test-scheduled", "--record", "--record-sensitive-headers"] {
            #expect(result.output.contains(flag), "missing \(flag)")
        }
    }

    @Test func unknownFlagIsNamed() async {
        let result = await Self.run(["dev", "--prot", "9000"])
        #expect(result.status == 64)
        #expect(result.errors.contains("unknown option '--prot'"))
        #expect(result.errors.contains("Usage: drover dev"))
    }

    @Test func recordSensitiveHeadersWithoutRecordIsAUsageError() async {
        let result = await Self.run(["dev", "--record-sensitive-headers"])
        #expect(result.status == 64)
        #expect(result.errors.contains("--record-sensitive-headers needs --record DIR"))
    }

    @Test func unknownCommandIsAUsageError() async {
        let result = await Self.run(["deploy-everything"])
        #expect(result.status == 64)
        #expect(result.errors.contains("unknown command 'deploy-everything'"))
    }

    @Test func groupWithoutLeafListsItsCommands() async {
        let result = await Self.run(["kv", "key"])
        #expect(result.status == 64)
        #expect(result.errors.contains("kv key put"))
        #expect(result.errors.contains("kv key list"))
    }

    @Test func missingValueIsAUsageError() async {
        let result = await Self.run(["dev", "--port"])
        #expect(result.status == 64)
        #expect(result.errors.contains("--port needs a value"))
    }

    @Test func nonNumericPortIsAUsageError() async throws {
        let directory = try TemporaryDirectory()
        try "main = \"x\"\n".write(toFile: directory.path + "/wrangler-like.toml", atomically: true, encoding: .utf8)
        let result = await Self.run(["dev", "--port", "eighty"], in: directory.path)
        #expect(result.status == 64)
        #expect(result.errors.contains("--port expects an integer"))
    }

    @Test func missingConfigIsAClearError() async throws {
        let directory = try TemporaryDirectory()
        let result = await Self.run(["config", "print"], in: directory.path)
        #expect(result.status == 1)
        #expect(result.errors.contains("config file not found"))
    }

    @Test func brokenConfigNamesFileLineAndColumn() async throws {
        let directory = try TemporaryDirectory()
        try "name = \"x\"\nmain = [1,\n".write(toFile: directory.path + "/wrangler-like.toml", atomically: true, encoding: .utf8)
        let result = await Self.run(["config", "print"], in: directory.path)
        #expect(result.status == 1)
        #expect(result.errors.contains("wrangler-like.toml:"))
        let located = result.errors.split(separator: "\n").first { $0.contains("wrangler-like.toml:") } ?? ""
        // FILE:LINE:COL: message
        let parts = located.split(separator: ":")
        #expect(parts.count >= 4)
        #expect(Int(parts.dropFirst(1).first ?? "") != nil || Int(parts.dropFirst(2).first ?? "") != nil)
    }

    @Test func secretsAreStoredListedAndDeletedWithoutEchoingValues() async throws {
        let directory = try TemporaryDirectory()
        try "main = \"x\"\n".write(toFile: directory.path + "/wrangler-like.toml", atomically: true, encoding: .utf8)
        let put = await Self.run(["secret", "put", "API_TOKEN"], in: directory.path, stdin: "s3cr3t-value\n")
        #expect(put.status == 0)
        #expect(!put.output.contains("s3cr3t-value") && !put.errors.contains("s3cr3t-value"))
        let list = await Self.run(["secret", "list"], in: directory.path)
        #expect(list.output == "API_TOKEN\n")
        let stored = try String(contentsOfFile: directory.path + "/.drover/state/secrets.json", encoding: .utf8)
        #expect(stored.contains("s3cr3t-value"))
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.path + "/.drover/state/secrets.json")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let delete = await Self.run(["secret", "delete", "API_TOKEN"], in: directory.path)
        #expect(delete.status == 0)
        let empty = await Self.run(["secret", "list"], in: directory.path)
        #expect(empty.output.isEmpty)
        let again = await Self.run(["secret", "delete", "API_TOKEN"], in: directory.path)
        #expect(again.status == 1)
    }
}

/// A temporary directory removed when the value is released.
final class TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("drover-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
