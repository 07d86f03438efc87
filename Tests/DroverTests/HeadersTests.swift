import Testing

@testable import Drover

@Suite("Headers")
struct HeadersTests {
    @Test("names are case-insensitive and reported lower-cased")
    func caseInsensitive() {
        let headers: Headers = ["Content-Type": "text/plain", "X-CUSTOM": "1"]
        #expect(headers["content-type"] == "text/plain")
        #expect(headers["CONTENT-TYPE"] == "text/plain")
        #expect(headers.value(for: "x-custom") == "1")
        #expect(headers.contains("X-Custom"))
        #expect(!headers.contains("x-missing"))
        #expect(headers["x-missing"] == nil)
        #expect(headers.fields.map(\.name) == ["content-type", "x-custom"])
    }

    @Test("repeated fields are kept and get joins them with \", \"")
    func combine() {
        var headers = Headers()
        headers.append("Accept", "text/html")
        headers.append("accept", "application/json")
        #expect(headers.count == 2)
        #expect(headers["accept"] == "text/html, application/json")
        #expect(headers.values(for: "ACCEPT") == ["text/html", "application/json"])
    }

    @Test("Set-Cookie values stay separate")
    func setCookie() {
        var headers = Headers()
        headers.append("Set-Cookie", "a=1; Path=/; Expires=Wed, 21 Oct 2015 07:28:00 GMT")
        headers.append("set-cookie", "b=2")
        #expect(headers.setCookies == ["a=1; Path=/; Expires=Wed, 21 Oct 2015 07:28:00 GMT", "b=2"])
        #expect(headers.fields.count == 2)
    }

    @Test("set replaces every field of the name in place of the first; others keep their order")
    func setOrder() {
        var headers = Headers([("a", "1"), ("X", "first"), ("b", "2"), ("x", "second"), ("c", "3")])
        headers.set("x", "only")
        #expect(headers.fields.map(\.name) == ["a", "x", "b", "c"])
        #expect(headers["x"] == "only")
        headers.set("New-Field", "v")
        #expect(headers.fields.last == Headers.Field(name: "new-field", value: "v"))
    }

    @Test("remove drops every field of the name; the subscript sets and removes")
    func removeAndSubscript() {
        var headers = Headers([("a", "1"), ("b", "2"), ("A", "3")])
        headers.remove("A")
        #expect(headers.fields.map(\.name) == ["b"])
        headers["C"] = "x"
        #expect(headers["c"] == "x")
        headers["c"] = nil
        #expect(!headers.contains("c"))
        headers.remove("absent")
        #expect(headers.count == 1)
    }

    @Test("append keeps insertion order across names; iteration follows it")
    func appendOrder() {
        var headers = Headers()
        headers.append("b", "1")
        headers.append("a", "2")
        headers.append("b", "3")
        #expect(headers.map(\.value) == ["1", "2", "3"])
        #expect(headers.map(\.name) == ["b", "a", "b"])
    }

    @Test("non-ASCII bytes in names are left alone by lower-casing")
    func nonASCIIName() {
        let headers = Headers([("X-Ünïcode", "v")])
        #expect(headers["x-Ünïcode"] == "v")
    }
}
