import Drover

#if canImport(Glibc)
import Glibc
#endif

/// User plus system CPU time of the whole process, in seconds: steadier than wall time when other
/// processes share the cores.
func processCPUSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// The outbound fetch of an in-process benchmark's `Env`: there is none.
struct NoFetcher: Fetcher {
    func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
        throw FetchError(kind: .other, message: "no outbound fetch in a benchmark")
    }
}
