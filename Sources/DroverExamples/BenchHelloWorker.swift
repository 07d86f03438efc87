import Drover

/// The benchmark worker (`Benchmarks/hello.toml`): `GET /hello` answers `hello`, `POST /echo`
/// answers the request body as JSON — the two routes every peer server of the HTTP comparison serves (Benchmarks/README.md).
package struct BenchHelloWorker: Worker {
    package init() {}

    package func fetch(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
        switch (request.method, request.path) {
        case ("GET", "/hello"), ("HEAD", "/hello"):
            return Response(status: 200, headers: Self.textHeaders, body: Self.hello)
        case ("POST", "/echo"):
            return Response(status: 200, headers: Self.jsonHeaders, body: Body(bytes: try await request.bytes()))
        default:
            return .error("not found", status: 404)
        }
    }

    private static let textHeaders: Headers = ["content-type": "text/plain"]
    private static let jsonHeaders: Headers = ["content-type": "application/json"]
    private static let hello = Body(text: "hello")
}
