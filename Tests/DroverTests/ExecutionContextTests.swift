import Synchronization
import Testing

@testable import Drover

@Suite("ExecutionContext")
struct ExecutionContextTests {
    @Test("waitForBackgroundWork awaits every waitUntil task")
    func awaitsWork() async {
        let ctx = TestSupport.makeContext()
        let done = Atomic<Int>(0)
        for _ in 0..<10 {
            ctx.waitUntil {
                await Task.yield()
                done.add(1, ordering: .relaxed)
            }
        }
        #expect(ctx.hasBackgroundWork)
        await ctx.waitForBackgroundWork()
        #expect(done.load(ordering: .relaxed) == 10)
        #expect(!ctx.hasBackgroundWork)
    }

    @Test("work added by waitUntil tasks is awaited too")
    func nested() async {
        let ctx = TestSupport.makeContext()
        let order = Mutex<[String]>([])
        ctx.waitUntil {
            order.withLock { $0.append("outer") }
            ctx.waitUntil {
                await Task.yield()
                ctx.waitUntil { order.withLock { $0.append("innermost") } }
                order.withLock { $0.append("inner") }
            }
        }
        await ctx.waitForBackgroundWork()
        #expect(order.withLock { $0 }.sorted() == ["inner", "innermost", "outer"])
        #expect(!ctx.hasBackgroundWork)
    }

    @Test("a thrown error is logged, not propagated")
    func errorsAreLogged() async {
        struct Failure: Error, CustomStringConvertible {
            var description: String { "upstream down" }
        }
        let sink = MemoryLogSink()
        let ctx = TestSupport.makeContext(sink: sink)
        ctx.waitUntil { throw Failure() }
        ctx.waitUntil {}
        await ctx.waitForBackgroundWork()
        let records = sink.all
        #expect(records.count == 1)
        #expect(records.first?.level == .error)
        #expect(records.first?.message == "waitUntil task failed: upstream down")
    }

    @Test("passThroughOnException is recorded")
    func passThrough() {
        let ctx = TestSupport.makeContext()
        #expect(!ctx.passesThroughOnException)
        ctx.passThroughOnException()
        #expect(ctx.passesThroughOnException)
    }

    @Test("waiting with no work returns at once")
    func noWork() async {
        let ctx = TestSupport.makeContext()
        await ctx.waitForBackgroundWork()
        #expect(!ctx.hasBackgroundWork)
    }
}
