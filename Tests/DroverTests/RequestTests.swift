import Testing

@testable import Drover

@Suite("Request")
struct RequestTests {
    /// Absolute URLs and the parts `Request(url:)` splits them into.
    static let urls: [(url: String, scheme: String, authority: String, target: String)] = [
        ("https://api.example.test/v1/users?limit=2", "https", "api.example.test", "/v1/users?limit=2"),
        ("http://localhost:8787", "http", "localhost:8787", "/"),
        ("http://localhost:8787/", "http", "localhost:8787", "/"),
        ("HTTPS://Example.test/Path", "https", "Example.test", "/Path"),
        ("https://example.test?x=1", "https", "example.test", "/?x=1"),
        ("https://example.test/a#section", "https", "example.test", "/a"),
        ("https://example.test/a?b=c#frag?x", "https", "example.test", "/a?b=c"),
        ("https://example.test#only", "https", "example.test", "/"),
        ("http://user:pass@[::1]:8080/x", "http", "user:pass@[::1]:8080", "/x"),
    ]

    @Test("init(url:) splits scheme, authority and target; drops the fragment", arguments: urls)
    func splitURL(url: String, scheme: String, authority: String, target: String) throws {
        let request = try Request(url: url)
        #expect(request.scheme == scheme)
        #expect(request.authority == authority)
        #expect(request.target == target)
        #expect(request.url == scheme + "://" + authority + target)
        #expect(request.method == "GET")
    }

    @Test(
        "init(url:) rejects what is not an absolute http(s) URL",
        arguments: [
            "", "example.test/path", "/relative", "ftp://example.test/", "mailto:a@b.c", "http://", "https:///path",
            "http://?x=1", "://example.test",
        ]
    )
    func invalidURL(url: String) {
        do {
            _ = try Request(url: url)
            Issue.record("accepted \(url)")
        } catch let error as FetchError {
            #expect(error.kind == .invalidURL)
            #expect(error.message == "Invalid URL: " + url)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("the method is upper-cased, headers and body kept")
    func methodAndParts() async throws {
        let request = try Request(url: "https://x.test/", method: "post", headers: ["X-A": "1"], body: Body(text: "hi"))
        #expect(request.method == "POST")
        #expect(request.headers["x-a"] == "1")
        #expect(try await request.text() == "hi")
    }

    @Test("path and queryString split at the first ?")
    func pathAndQuery() {
        let request = TestSupport.makeRequest("GET", "/kv/a%20b?ttl=60&x=?y")
        #expect(request.path == "/kv/a%20b")
        #expect(request.queryString == "ttl=60&x=?y")
        let bare = TestSupport.makeRequest("GET", "/only")
        #expect(bare.path == "/only")
        #expect(bare.queryString == "")
        #expect(TestSupport.makeRequest("GET", "").target == "/")
    }

    @Test("query decoding: + and %20 as space, invalid escapes kept, repeated names in order")
    func queryDecoding() {
        let query = TestSupport.makeRequest("GET", "/?q=a+b&r=a%20b&bad=%zz&half=%4&name=%C3%A9&flag&&q=second&e=&x=1=2").query
        #expect(query["q"] == "a b")
        #expect(query.all("q") == ["a b", "second"])
        #expect(query["r"] == "a b")
        #expect(query["bad"] == "%zz")
        #expect(query["half"] == "%4")
        #expect(query["name"] == "é")
        #expect(query["flag"] == "")
        #expect(query["e"] == "")
        #expect(query["x"] == "1=2")
        #expect(query["missing"] == nil)
        #expect(query.pairs.map(\.name) == ["q", "r", "bad", "half", "name", "flag", "q", "e", "x"])
        #expect(QueryParameters("a%2Bb=c%26d")["a+b"] == "c&d")
    }

    @Test("PercentEncoding: decode keeps + and invalid escapes; encode escapes all but unreserved")
    func percentEncoding() {
        #expect(PercentEncoding.decode("a+b%20c") == "a+b c")
        #expect(PercentEncoding.decodeForm("a+b%20c") == "a b c")
        #expect(PercentEncoding.decode("%") == "%")
        #expect(PercentEncoding.decode("%2") == "%2")
        #expect(PercentEncoding.decode("100%") == "100%")
        #expect(PercentEncoding.decode("%zz%41") == "%zzA")
        #expect(PercentEncoding.decode("%e9") == "\u{FFFD}")
        #expect(PercentEncoding.decodeBytes("%e9%FF") == [0xE9, 0xFF])
        #expect(PercentEncoding.encode("a b/c?d=é~-._") == "a%20b%2Fc%3Fd%3D%C3%A9~-._")
        #expect(PercentEncoding.encode("\u{0}\u{7F}") == "%00%7F")
    }

    @Test("PercentEncoding round-trips any string", arguments: ["", "plain", "a b+c&d=e/f?g#h%i", "héllo wörld 😀", "\u{0}\n\t", "%%41"])
    func percentRoundTrip(text: String) {
        let encoded = PercentEncoding.encode(text)
        #expect(encoded.utf8.allSatisfy { $0 < 0x80 })
        #expect(PercentEncoding.decode(encoded) == text)
        #expect(PercentEncoding.decodeForm(encoded) == text)
    }

    @Test("params are read through param(_:)")
    func params() {
        var request = TestSupport.makeRequest("GET", "/")
        request.params = ["id": "7"]
        #expect(request.param("id") == "7")
        #expect(request.param("other") == nil)
    }
}
