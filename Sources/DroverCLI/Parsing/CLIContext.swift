import Drover
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What a command runs with: its output streams, standard input, the working directory and the
/// registered workers. Tests pass a capturing context; the binary passes the real streams.
public struct CLIContext: Sendable {
    /// Where a command writes its results.
    public var standardOutput: any TextSink
    /// Where a command writes diagnostics.
    public var standardError: any TextSink
    /// Reads standard input to its end.
    public var readStandardInput: @Sendable () -> [UInt8]
    /// Whether standard input is a terminal (confirmation prompts ask only then).
    public var standardInputIsTerminal: Bool
    /// Whether standard error is a terminal (progress lines are drawn only then).
    public var standardErrorIsTerminal: Bool = false
    /// The folder relative paths are resolved against.
    public var workingDirectory: String
    /// The workers this binary can serve.
    public var registry: WorkerRegistry
    /// Process environment (for `${NAME}` placeholders in fixtures).
    public var environment: [String: String]

    /// Creates a context.
    public init(
        standardOutput: any TextSink,
        standardError: any TextSink,
        readStandardInput: @escaping @Sendable () -> [UInt8] = { [] },
        standardInputIsTerminal: Bool = false,
        workingDirectory: String = FileManager.default.currentDirectoryPath,
        registry: WorkerRegistry,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.readStandardInput = readStandardInput
        self.standardInputIsTerminal = standardInputIsTerminal
        self.workingDirectory = workingDirectory
        self.registry = registry
        self.environment = environment
    }

    /// The real process streams.
    public static func standard(registry: WorkerRegistry) -> CLIContext {
        var context = CLIContext(
            standardOutput: FileDescriptorSink(descriptor: 1),
            standardError: StandardErrorSink(),
            readStandardInput: { Array(FileHandle.standardInput.readDataToEndOfFile()) },
            standardInputIsTerminal: isatty(0) == 1,
            registry: registry
        )
        context.standardErrorIsTerminal = isatty(2) == 1
        return context
    }

    /// Writes a line to standard output.
    func print(_ line: String) { standardOutput.write(line + "\n") }

    /// Writes a line to standard error.
    func printError(_ line: String) { standardError.write(line + "\n") }

    /// `path` resolved against the working directory.
    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : (workingDirectory as NSString).appendingPathComponent(path)
    }
}

/// A text stream.
public protocol TextSink: Sendable {
    func write(_ text: String)
}

/// Writes to a file descriptor (1 or 2) with `write(2)`.
public struct FileDescriptorSink: TextSink {
    public let descriptor: Int32

    public init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    public func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 { return }
            offset += written
        }
        bytes.removeAll()
    }
}

/// Writes to standard error through the same queue as the log (``StandardErrorLogSink``), so a
/// command's messages and its log lines keep their order and neither waits on a slow terminal.
public struct StandardErrorSink: TextSink {
    public init() {}

    public func write(_ text: String) {
        LogLineWriter.standardError.write(Array(text.utf8))
    }
}

/// Keeps what is written, for tests.
public final class CapturingSink: TextSink {
    private let buffer = Mutex("")

    public init() {}

    public func write(_ text: String) {
        buffer.withLock { $0 += text }
    }

    /// Everything written so far.
    public var text: String { buffer.withLock { $0 } }
}
