import CLinux
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A child process for the tests (the `drover` binary, helpers, `openssl`), started with
/// `posix_spawn`.
///
/// Not Foundation's `Process`: on Linux, `Process.run()` looks for the highest open descriptor by
/// reading `/proc/self/fd` and copies each entry's whole 256-byte `d_name`, past the entry's end
/// and past the end of the directory buffer. With about 1,400 descriptors open — a test holding a
/// thousand connections while another starts a process — the copy reached unmapped memory and the
/// test process died with SIGSEGV (AddressSanitizer names it: a heap-buffer-overflow in
/// `findMaximumOpenFromProcSelfFD`). Here the child closes every descriptor past the standard
/// three as it starts (`posix_spawn_file_actions_addclosefrom_np`), so it inherits neither that
/// scan nor another test's pipes and sockets (a write end held by a stranger would keep a reader
/// from ever seeing the end of its output).
///
/// One thread per child waits for it to exit. A signal is only sent while the child has not been
/// reaped, so it can never reach another process that was given the same pid.
package final class ChildProcess: Sendable {
    /// Where one of the child's standard streams goes.
    package enum Stream: Sendable {
        /// `/dev/null`.
        case null
        /// A pipe to this process: ``input``, ``output`` or ``errors``.
        case pipe
        /// This process's own stream.
        case inherit
    }

    /// How the child ended.
    package enum Termination: Equatable, Sendable, CustomStringConvertible {
        /// It exited with this status.
        case exited(Int32)
        /// A signal ended it.
        case signaled(Int32)

        package var description: String {
            switch self {
            case .exited(let status): "exited with status \(status)"
            case .signaled(let signal): "killed by signal \(signal)"
            }
        }
    }

    /// What spawning the child failed with.
    package struct SpawnError: Error, CustomStringConvertible {
        package let description: String
    }

    /// The child's process id.
    package let pid: pid_t
    /// The write end of the child's standard input, with `.pipe`.
    package let input: FileHandle?
    /// The read end of the child's standard output, with `.pipe`.
    package let output: FileHandle?
    /// The read end of the child's standard error, with `.pipe`.
    package let errors: FileHandle?

    private struct State {
        /// Set once the child has exited, before it is reaped.
        var termination: Termination?
        var waiters: [CheckedContinuation<Termination, Never>] = []
    }

    private let state = Mutex(State())
    private let exited = DispatchGroup()

    /// Starts `executable` (a path) with `arguments`, in `directory` (this process's when `nil`),
    /// with this process's environment changed by `environment` (a `nil` value removes a variable).
    /// - Throws: ``SpawnError`` when the child could not be started.
    package init(
        _ executable: String,
        _ arguments: [String] = [],
        directory: String? = nil,
        environment: [String: String?] = [:],
        input: Stream = .null,
        output: Stream = .null,
        errors: Stream = .null
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        // Every signal at its default and none blocked: a test runner's dispositions and mask are
        // not the child's business.
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        // The parent's ends of the pipes, and the child's ends to close here once it started.
        var parentEnds: [Int32?] = [nil, nil, nil]
        var childEnds: [Int32] = []
        defer { for fd in childEnds { close(fd) } }
        for (target, stream) in [(Int32(0), input), (1, output), (2, errors)] {
            switch stream {
            case .inherit:
                break
            case .null:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            case .pipe:
                var fds: [Int32] = [-1, -1]
                guard pipe(&fds) == 0 else {
                    for fd in parentEnds.compactMap({ $0 }) { close(fd) }
                    throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))")
                }
                for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
                let (childEnd, parentEnd) = target == 0 ? (fds[0], fds[1]) : (fds[1], fds[0])
                childEnds.append(childEnd)
                parentEnds[Int(target)] = parentEnd
                posix_spawn_file_actions_adddup2(&actions, childEnd, target)
            }
        }
        posix_spawn_file_actions_addclosefrom_np(&actions, 3)
        if let directory { posix_spawn_file_actions_addchdir_np(&actions, directory) }

        var variables = ProcessInfo.processInfo.environment
        for (name, value) in environment { variables[name] = value }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }

        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else {
            for fd in parentEnds.compactMap({ $0 }) { close(fd) }
            throw SpawnError(description: "\(executable): \(String(cString: strerror(status)))")
        }
        self.pid = pid
        self.input = parentEnds[0].map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        self.output = parentEnds[1].map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        self.errors = parentEnds[2].map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        exited.enter()
        Thread { [self] in reap() }.start()
    }

    /// Waits for the child to exit (without reaping it, so its pid stays its own meanwhile), records
    /// how it ended, then reaps it.
    private func reap() {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0, errno == EINTR {}
        var status: Int32 = 0
        let waiters = state.withLock { state in
            while waitpid(pid, &status, 0) == -1, errno == EINTR {}
            // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import (they are macros).
            let signal = status & 0x7F
            let termination: Termination = signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
            state.termination = termination
            defer { state.waiters = [] }
            return state.waiters.map { ($0, termination) }
        }
        exited.leave()
        for (waiter, termination) in waiters { waiter.resume(returning: termination) }
    }

    /// Whether the child has not exited yet.
    package var isRunning: Bool { state.withLock { $0.termination == nil } }

    /// How the child ended; `nil` while it runs.
    package var termination: Termination? { state.withLock { $0.termination } }

    /// Sends `signal` to the child, unless it has already exited.
    package func signal(_ signal: Int32) {
        state.withLock { state in
            if state.termination == nil { _ = kill(pid, signal) }
        }
    }

    /// Blocks the calling thread until the child exits.
    @discardableResult
    package func waitUntilExit() -> Termination {
        exited.wait()
        return state.withLock { $0.termination! }
    }

    /// Waits, without blocking a thread, for the child to exit.
    package func exit() async -> Termination {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Termination? in
                if let termination = state.termination { return termination }
                state.waiters.append(continuation)
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }

    /// What a finished child wrote.
    package struct Completed: Sendable {
        package let termination: Termination
        package let output: [UInt8]
        package let errors: [UInt8]

        package var outputText: String { String(decoding: output, as: UTF8.self) }
        package var errorText: String { String(decoding: errors, as: UTF8.self) }
    }

    /// Runs `executable` to its end, feeding it `input` and collecting both of its outputs (each read
    /// on its own thread, so a child filling one pipe never waits on the other).
    package static func run(
        _ executable: String,
        _ arguments: [String] = [],
        directory: String? = nil,
        environment: [String: String?] = [:],
        input: [UInt8]? = nil
    ) throws -> Completed {
        let child = try ChildProcess(
            executable,
            arguments,
            directory: directory,
            environment: environment,
            input: input == nil ? .null : .pipe,
            output: .pipe,
            errors: .pipe
        )
        let done = DispatchGroup()
        let collected = Mutex<(output: [UInt8], errors: [UInt8])>(([], []))
        if let input, let writer = child.input {
            done.enter()
            Thread {
                try? writer.write(contentsOf: input)
                try? writer.close()
                done.leave()
            }.start()
        }
        done.enter()
        Thread {
            let errors = child.errors.map { Array($0.readDataToEndOfFile()) } ?? []
            collected.withLock { $0.errors = errors }
            done.leave()
        }.start()
        let output = child.output.map { Array($0.readDataToEndOfFile()) } ?? []
        done.wait()
        let termination = child.waitUntilExit()
        return collected.withLock { Completed(termination: termination, output: output, errors: $0.errors) }
    }
}
