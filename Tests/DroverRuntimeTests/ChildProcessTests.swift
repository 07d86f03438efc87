import DroverTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The tests' own way of starting processes (``ChildProcess``): it must hold where Foundation's
/// `Process` crashed the test process, with many descriptors open.
@Suite("Child processes of the tests")
struct ChildProcessTests {
    @Test("with 1,500 descriptors open, a child starts and inherits none of them")
    func manyOpenDescriptors() throws {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < 8_192, limit.rlim_max > limit.rlim_cur {
            limit.rlim_cur = min(limit.rlim_max, 8_192)
            setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
        // More entries than one 32 KiB read of /proc/self/fd holds: what made Foundation's scan
        // read past its buffer. Opened without close-on-exec, so only the spawn can keep them out.
        let extra = (0..<1_500).map { _ in open("/dev/null", O_RDONLY) }
        defer { for fd in extra where fd >= 0 { close(fd) } }
        try #require(!extra.contains(-1), "could not open 1,500 descriptors (limit \(limit.rlim_cur))")

        let result = try ChildProcess.run("/bin/sh", ["-c", "ls /proc/self/fd; exit 3"])
        #expect(result.termination == .exited(3))
        // 0, 1 and 2, and the one `ls` reads the directory through.
        let inherited = result.outputText.split(separator: "\n").compactMap { Int($0) }.filter { $0 > 3 }
        #expect(inherited.count == 0, "the child inherited descriptors, among them \(inherited.prefix(5))")
    }

    @Test("input, directory and environment reach the child; its two outputs come back apart")
    func streamsDirectoryAndEnvironment() throws {
        let result = try ChildProcess.run(
            "/bin/sh",
            ["-c", "pwd; cat; echo \"$DROVER_CHILD_TEST\" >&2; test -z \"$HOME\""],
            directory: "/tmp",
            environment: ["DROVER_CHILD_TEST": "set", "HOME": nil],
            input: Array("from stdin\n".utf8)
        )
        #expect(result.termination == .exited(0))
        #expect(result.outputText == "/tmp\nfrom stdin\n")
        #expect(result.errorText == "set\n")
    }

    @Test("a signal ends a running child; once it has exited, signalling it does nothing")
    func signals() async throws {
        let child = try ChildProcess("/bin/sleep", ["30"])
        #expect(child.isRunning)
        child.signal(SIGTERM)
        #expect(await child.exit() == .signaled(SIGTERM))
        #expect(child.waitUntilExit() == .signaled(SIGTERM))
        #expect(!child.isRunning)
        child.signal(SIGKILL)
        #expect(child.termination == .signaled(SIGTERM))
    }
}
