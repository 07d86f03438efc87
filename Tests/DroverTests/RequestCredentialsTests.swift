import Drover
import Testing

@Suite("Request credentials: bearer token and cookies")
struct RequestCredentialsTests {
    private func request(_ fields: [(String, String)]) throws -> Request {
        try Request(url: "https://worker.example/api/me", headers: Headers(fields))
    }

    @Test("a bearer token in any case of the scheme, after one or more spaces, with RFC 6750's characters")
    func bearer() throws {
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ.c2lnbmF0dXJl"
        for field in ["Bearer \(jwt)", "bearer \(jwt)", "BEARER   \(jwt)"] {
            #expect(try request([("Authorization", field)]).bearerToken == jwt, "\(field)")
        }
        #expect(try request([("Authorization", "Bearer abc+/~_-.==")]).bearerToken == "abc+/~_-.==")
    }

    @Test("no bearer token: no field, another scheme, no token, characters outside the grammar, padding in the middle")
    func notBearer() throws {
        #expect(try request([]).bearerToken == nil)
        for field in ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Bearer    ", "Bearertoken", "Bearer a b", "Bearer a,b", "Bearer ==",
            "Bearer a=b", "Bearer tok\u{e9}n", "Token abc"]
        {
            #expect(try request([("Authorization", field)]).bearerToken == nil, "\(field)")
        }
    }

    @Test("cookies: the first of the name across fields, names exact, spaces trimmed, quotes removed")
    func cookies() throws {
        let request = try request([("Cookie", "theme=dark; __session=abc.def.ghi ; other=\"quoted value\""), ("Cookie", "__session=second")])
        #expect(request.cookie("__session") == "abc.def.ghi")
        #expect(request.cookie("theme") == "dark")
        #expect(request.cookie("other") == "quoted value")
        #expect(request.cookie("Theme") == nil)
        #expect(request.cookie("missing") == nil)
        #expect(try self.request([("Cookie", "flag; empty=; a=b=c")]).cookie("empty") == "")
        #expect(try self.request([("Cookie", "flag; empty=; a=b=c")]).cookie("a") == "b=c")
        #expect(try self.request([("Cookie", "flag; empty=; a=b=c")]).cookie("flag") == nil)
        #expect(try self.request([]).cookie("a") == nil)
    }
}
