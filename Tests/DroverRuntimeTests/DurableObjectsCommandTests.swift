import Drover
import DroverExamples
import Foundation
import Testing

/// `drover do ...` on a temporary `--persist-to`, beside a runtime that made the objects.
@Suite struct DurableObjectsCommandTests {
    @Test func listsObjectsAndRunsSQLInOne() async throws {
        let project = try PlaygroundProject.make()
        #expect(await project.cli(["do", "list"]).output.contains("No Durable Objects in COUNTER yet."))
        let runtime = try await project.runtimeFactory(logger: .disabled)()
        let counters = try runtime.host.env.durableObjects("COUNTER")
        let id = counters.idFromName("ann")
        for _ in 0..<3 { _ = try await counters.get(id).call(PlaygroundCounter.self) { try $0.increment() } }
        _ = try await counters.get(id).call(PlaygroundCounter.self) { try $0.query("CREATE TABLE t (x); INSERT INTO t VALUES (7)", []) }
        _ = try await counters.get(id).call(PlaygroundCounter.self) { try $0.setAlarm(in: 60_000, now: 1_800_000_000_000) }

        // While the runtime still has the object open.
        let list = await project.cli(["do", "list", "COUNTER", "--json"])
        #expect(list.status == 0, "\(list.errors)")
        let objects = try JSONParser.parse(list.output).arrayValue ?? []
        #expect(objects.count == 1)
        #expect(objects.first?["id"] == .string(id.hex))
        #expect(objects.first?["name"] == "ann")
        #expect(objects.first?["alarm"] == .integer(1_800_000_060_000))

        let byName = await project.cli(["do", "sql", "COUNTER", "ann", "SELECT x FROM t", "--json"])
        #expect(byName.status == 0, "\(byName.errors)")
        #expect(try JSONParser.parse(byName.output) == [["x": 7]])
        let byID = await project.cli(["do", "sql", "COUNTER", id.hex, "SELECT x * 2 AS y FROM t"])
        #expect(byID.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) } == ["y", "14"])

        let refused = await project.cli(["do", "sql", "COUNTER", "ann", "SELECT * FROM _cf_KV"])
        #expect(refused.status != 0)
        #expect(refused.errors.contains("access to _cf_KV.key is prohibited: SQLITE_AUTH"))
        let missing = await project.cli(["do", "sql", "COUNTER", "nobody", "SELECT 1"])
        #expect(missing.status != 0)
        #expect(missing.errors.contains("COUNTER has no object nobody"))
        await runtime.shutdown()
    }
}
