import Drover
import DroverRuntime
import Foundation
import Testing

/// `drover kv key ...` and `drover kv bulk ...` on a temporary `--persist-to`.
@Suite struct KVCommandTests {
    @Test func putGetListDelete() async throws {
        let project = try PlaygroundProject.make()
        let put = await project.cli(["kv", "key", "put", "user:1", "Ada", "--binding", "KV", "--metadata", #"{"role":"admin"}"#])
        #expect(put.status == 0, "\(put.errors)")
        #expect(await project.cli(["kv", "key", "put", "user:2", "Grace", "--binding", "KV"]).status == 0)
        #expect(await project.cli(["kv", "key", "put", "other", "x", "--binding", "KV", "--ttl", "120"]).status == 0)

        let get = await project.cli(["kv", "key", "get", "user:1", "--binding", "KV"])
        #expect(get.status == 0)
        #expect(get.output == "Ada")
        #expect(await project.cli(["kv", "key", "get", "user:1", "--binding", "KV", "--text"]).output == "Ada\n")

        let list = await project.cli(["kv", "key", "list", "--binding", "KV"])
        #expect(list.status == 0)
        let keys = try #require(try JSONParser.parse(list.output).arrayValue)
        #expect(keys.compactMap { $0["name"]?.stringValue } == ["other", "user:1", "user:2"])
        #expect(keys[0]["expiration"]?.integerValue != nil)
        #expect(keys[1]["metadata"]?["role"]?.stringValue == "admin")

        let prefixed = await project.cli(["kv", "key", "list", "--binding", "KV", "--prefix", "user:"])
        #expect(try JSONParser.parse(prefixed.output).arrayValue?.count == 2)

        #expect(await project.cli(["kv", "key", "delete", "user:1", "--binding", "KV"]).status == 0)
        let gone = await project.cli(["kv", "key", "get", "user:1", "--binding", "KV"])
        #expect(gone.status == 1)
        #expect(gone.errors.contains("Value not found"))
    }

    @Test(arguments: ["0", "1", "59"])
    func ttlUnderSixtyIsRefusedWithThePlatformMessage(ttl: String) async throws {
        let project = try PlaygroundProject.make()
        let result = await project.cli(["kv", "key", "put", "k", "v", "--binding", "KV", "--ttl", ttl])
        #expect(result.status == 1)
        if ttl == "0" {
            #expect(result.errors.contains("Invalid expiration_ttl of 0. Please specify integer greater than 0."))
        } else {
            #expect(result.errors.contains("KV PUT failed: 400 Invalid expiration_ttl of \(ttl). Expiration TTL must be at least 60."))
        }
        // Nothing was written.
        #expect(await project.cli(["kv", "key", "get", "k", "--binding", "KV"]).status == 1)
    }

    @Test func unknownBindingNamesTheConfiguredOnes() async throws {
        let project = try PlaygroundProject.make()
        let result = await project.cli(["kv", "key", "get", "k", "--binding", "SESSIONS"])
        #expect(result.status == 1)
        #expect(result.errors.contains("SESSIONS") && result.errors.contains("KV"))
    }

    @Test func bulkPutAndDeleteInWranglersFormat() async throws {
        let project = try PlaygroundProject.make()
        try project.write(
            "bulk.json",
            """
            [
              {"key": "a", "value": "alpha"},
              {"key": "b", "value": "YmV0YQ==", "base64": true},
              {"key": "c", "value": "gamma", "expiration_ttl": 3600, "metadata": {"v": 1}}
            ]
            """
        )
        let put = await project.cli(["kv", "bulk", "put", "bulk.json", "--binding", "KV"])
        #expect(put.status == 0, "\(put.errors)")
        #expect(put.output.contains("Wrote 3 keys"))
        #expect(await project.cli(["kv", "key", "get", "a", "--binding", "KV"]).output == "alpha")
        #expect(await project.cli(["kv", "key", "get", "b", "--binding", "KV"]).output == "beta")
        let list = try JSONParser.parse(await project.cli(["kv", "key", "list", "--binding", "KV"]).output).arrayValue ?? []
        #expect(list.count == 3)
        #expect(list.last?["metadata"]?["v"] == .integer(1))
        #expect(list.last?["expiration"]?.integerValue != nil)

        try project.write("delete.json", #"["a", "c"]"#)
        let delete = await project.cli(["kv", "bulk", "delete", "delete.json", "--binding", "KV"])
        #expect(delete.status == 0, "\(delete.errors)")
        let left = try JSONParser.parse(await project.cli(["kv", "key", "list", "--binding", "KV"]).output).arrayValue ?? []
        #expect(left.compactMap { $0["name"]?.stringValue } == ["b"])
    }

    @Test func bulkGetPrintsWranglersJSON() async throws {
        let project = try PlaygroundProject.make()
        #expect(await project.cli(["kv", "key", "put", "a", "alpha", "--binding", "KV"]).status == 0)
        #expect(await project.cli(["kv", "key", "put", "b", "beta", "--binding", "KV", "--metadata", #"{"v":1}"#]).status == 0)
        try project.write("keys.json", #"["a", {"name": "b"}, "missing"]"#)
        let get = await project.cli(["kv", "bulk", "get", "keys.json", "--binding", "KV"])
        #expect(get.status == 0, "\(get.errors)")
        #expect(
            get.output == """
                {
                  "a": {
                    "value": "alpha"
                  },
                  "b": {
                    "value": "beta"
                  },
                  "missing": {
                    "value": null
                  }
                }

                """
        )
        // More than a binding's 100 keys: wrangler's local mode reads them one by one.
        try project.write("many.json", "[" + (0..<150).map { "\"k\($0)\"" }.joined(separator: ",") + "]")
        let many = await project.cli(["kv", "bulk", "get", "many.json", "--binding", "KV"])
        #expect(many.status == 0, "\(many.errors)")
        #expect(try JSONParser.parse(many.output).objectValue?.count == 150)

        try project.write("bad.json", #"["a", 7]"#)
        let bad = await project.cli(["kv", "bulk", "get", "bad.json", "--binding", "KV"])
        #expect(bad.status == 1)
        #expect(bad.errors.contains(#"The item at index 1 is type: "number" - 7"#))
    }

    @Test func bulkPutWithABadEntryWritesNothing() async throws {
        let project = try PlaygroundProject.make()
        try project.write("bulk.json", #"[{"key": "a", "value": "alpha"}, {"key": "b"}]"#)
        let put = await project.cli(["kv", "bulk", "put", "bulk.json", "--binding", "KV"])
        #expect(put.status == 1)
        #expect(put.errors.contains("bulk.json"))
        #expect(await project.cli(["kv", "key", "get", "a", "--binding", "KV"]).status == 1)
    }

    @Test func devServerAndCLISeeEachOthersWrites() async throws {
        let project = try PlaygroundProject.make()
        let running = try await DevServerTests.start(project)
        let port = running.port
        #expect(try await httpRequest(port: port, "PUT", "/kv/from-server", body: "S").status == 201)
        #expect(await project.cli(["kv", "key", "put", "from-cli", "C", "--binding", "KV"]).status == 0)

        let cliView = await project.cli(["kv", "key", "get", "from-server", "--binding", "KV"])
        #expect(cliView.status == 0)
        #expect(cliView.output == "S")
        let serverView = try await httpRequest(port: port, "GET", "/kv/from-cli")
        #expect(serverView.status == 200)
        #expect(serverView.text == "C")

        #expect(await project.cli(["kv", "key", "delete", "from-server", "--binding", "KV"]).status == 0)
        #expect(try await httpRequest(port: port, "GET", "/kv/from-server").status == 404)
        let names = try await httpRequest(port: port, "GET", "/kv").json()["keys"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(names == ["from-cli"])
        await running.server.shutdown()
    }
}
