import Drover

/// The live tail for a browser: the tail hub's events as server-sent events (`text/event-stream`),
/// one `data:` line per event, unsampled, framed by the hub itself (no task per page relays
/// them); the hub's `{"type":"dropped"}` notices say how many a slow page missed, and the page
/// shows the count.
enum ExplorerTail {
    static func serverSentEvents(_ hub: TailHub) -> Response {
        Response(
            status: 200,
            headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no"],
            body: Body(stream: hub.subscribe(TailHub.Filter(), format: .serverSentEvents))
        )
    }
}
