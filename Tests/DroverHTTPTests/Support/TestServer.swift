import Drover
import DroverHTTP

/// A server on port 0 with a memory log, started for one test.
struct TestServer {
    let server: HTTPServer
    let port: Int
    let log: MemoryLogSink

    static func start(
        _ configure: (inout HTTPServerConfiguration) -> Void = { _ in },
        responder: @escaping @Sendable (Request) async throws -> Response = TestServer.routes
    ) throws -> TestServer {
        // The raw-socket tests send `Host: t`: a name the server is told to answer to.
        var configuration = HTTPServerConfiguration(port: 0, eventLoops: 2, allowedHosts: ["t"])
        configure(&configuration)
        let log = MemoryLogSink()
        let server = HTTPServer(
            configuration: configuration,
            logger: Logger(label: "http-test", level: .debug, sink: log),
            responder: responder
        )
        let port = try server.start()
        return TestServer(server: server, port: port, log: log)
    }

    /// `/hello`, `/echo` (body and content-type back), `/throw`, `/stream` (chunks a, b, c), `/headers`.
    @Sendable static func routes(_ request: Request) async throws -> Response {
        switch request.path {
        case "/hello":
            return Response("hello")
        case "/echo":
            var headers = Headers()
            headers.set("content-type", request.headers["content-type"] ?? "application/octet-stream")
            return Response(status: 200, headers: headers, body: request.body)
        case "/throw":
            struct Boom: Error {}
            throw Boom()
        case "/stream":
            return Response(
                status: 200,
                headers: ["content-type": "text/plain"],
                body: .writer { write in
                    for part in ["a", "b", "c"] { write(Array(part.utf8)) }
                }
            )
        case "/big":
            // 8 MiB in 64 KiB chunks, byte i of chunk n is n: more than the socket buffers hold.
            return Response(
                status: 200,
                body: .writer { write in
                    for index in 0..<128 { write([UInt8](repeating: UInt8(index), count: 64 * 1024)) }
                }
            )
        case "/bytes":
            let count = Int(request.query["n"] ?? "") ?? 0
            return Response(status: 200, body: Body(bytes: Array(TestServer.blob.prefix(count))))
        case "/blob":
            // 6 MiB as one buffer (not a stream): byte i is i % 251.
            return Response(status: 200, body: Body(bytes: TestServer.blob))
        case "/request":
            return Response("\(request.method) \(request.url) host=\(request.headers["host"] ?? "-")")
        case "/no-content":
            return Response(status: 204)
        default:
            return Response("not found", status: 404)
        }
    }

    /// The body of `/blob`.
    static let blob: [UInt8] = (0..<(6 << 20)).map { UInt8($0 % 251) }

    func stop() async {
        await server.shutdown(gracePeriod: .seconds(5))
    }

    func logged(_ fragment: String) -> Bool {
        log.lines.contains { $0.contains(fragment) }
    }
}
