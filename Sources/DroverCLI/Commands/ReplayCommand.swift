import Drover
import DroverReplay
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `drover replay`: runs fixtures (Docs/fixtures.md) in-process, deterministically.
enum ReplayCommand {
    static let spec = CommandSpec(
        path: ["replay"],
        summary: "Run recorded fixtures in-process on a frozen clock",
        arguments: [ArgumentSpec(name: "PATH", help: "Fixture files or folders (default: Fixtures/)", optional: true, variadic: true)],
        options: [
            .value("junit", "FILE", "Also write a JUnit XML report"),
            .flag("update", "Rewrite the expect blocks of failing request steps from what happened"),
            .value("filter", "TEXT", "Run only fixtures whose name or path contains TEXT"),
            .value("jobs", "N", "Fixtures run at once", default: "the number of cores"),
        ],
        discussion: "Prints a line per fixture and closes with 'N passed, N failed'; exits 1 when any failed.",
        run: run
    )

    static func run(_ arguments: ParsedArguments, _ context: CLIContext) async throws -> Int32 {
        let jobs = try arguments.integer("jobs") ?? ProcessInfo.processInfo.activeProcessorCount
        guard jobs >= 1 else { throw UsageError("--jobs must be at least 1") }
        let runner = FixtureRunner(
            projectRoot: context.workingDirectory,
            registry: context.registry,
            update: arguments.flag("update"),
            environment: context.environment
        )
        let replay = ReplayRun(
            paths: arguments.positionals.map(context.resolve),
            runner: runner,
            filter: arguments.value("filter"),
            jobs: jobs
        )
        let progress = context.standardErrorIsTerminal
        let results = try await replay.run { result, done, total in
            if progress { context.standardError.write("\r\u{1B}[2K") }
            context.print(result.line)
            let failure = result.renderedFailure()
            if !failure.isEmpty { context.standardOutput.write(failure) }
            if progress && done < total { context.standardError.write("[\(done)/\(total)] running...") }
        }
        if progress { context.standardError.write("\r\u{1B}[2K") }
        let summary = ReplaySummary(results: results)
        if let junit = arguments.value("junit") {
            try JUnitReport.write(results: results, to: context.resolve(junit))
        }
        context.print(summary.line)
        return summary.exitStatus
    }
}
