import Drover
import Foundation
import Glibc
import Testing

@testable import DroverHTTP

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The client's address reaches the handler (`Request.remoteAddress`), IPv4-mapped IPv6 shown as IPv4.
@Suite("Peer address")
struct PeerAddressTests {
    private static func storage(family: Int32, bytes: [UInt8]) -> sockaddr_storage {
        var storage = sockaddr_storage()
        if family == AF_INET {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            withUnsafeMutableBytes(of: &address.sin_addr) { $0.copyBytes(from: bytes) }
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: address) { raw.copyMemory(from: $0) } }
        } else if family == AF_INET6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            withUnsafeMutableBytes(of: &address.sin6_addr) { $0.copyBytes(from: bytes) }
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: address) { raw.copyMemory(from: $0) } }
        } else {
            storage.ss_family = sa_family_t(family)
        }
        return storage
    }

    @Test("IPv4, IPv6, IPv4-mapped IPv6 and other families as text")
    func formats() {
        #expect(PeerAddress(Self.storage(family: AF_INET, bytes: [192, 0, 2, 7])).text == "192.0.2.7")
        #expect(PeerAddress(Self.storage(family: AF_INET6, bytes: Array(repeating: 0, count: 15) + [1])).text == "::1")
        let documentation: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [0x42]
        #expect(PeerAddress(Self.storage(family: AF_INET6, bytes: documentation)).text == "2001:db8::42")
        let mapped: [UInt8] = Array(repeating: 0, count: 10) + [0xFF, 0xFF, 10, 1, 2, 3]
        #expect(PeerAddress(Self.storage(family: AF_INET6, bytes: mapped)).text == "10.1.2.3")
        #expect(PeerAddress(Self.storage(family: AF_UNIX, bytes: [])).text == nil)
        #expect(PeerAddress().text == nil)
    }

    @Test("a request over a socket carries the client's address")
    func requestCarriesIt() async throws {
        let server = try TestServer.start(responder: { request in Response(request.remoteAddress ?? "none") })
        let (data, _) = try await URLSession(configuration: .ephemeral).data(from: URL(string: "http://127.0.0.1:\(server.port)/")!)
        #expect(String(decoding: data, as: UTF8.self) == "127.0.0.1")
        await server.stop()
    }
}

extension PeerAddressTests {
    @Test("a client-address field is set by the server and replaces every one the client sent")
    func clientAddressField() async throws {
        let server = try TestServer.start(
            { $0.clientAddressField = "x-client-address" },
            responder: { request in Response(request.headers.values(for: "x-client-address").joined(separator: "|")) }
        )
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(server.port)/")!)
        request.setValue("203.0.113.9", forHTTPHeaderField: "X-Client-Address")
        let (data, _) = try await URLSession(configuration: .ephemeral).data(for: request)
        #expect(String(decoding: data, as: UTF8.self) == "127.0.0.1")
        await server.stop()
    }
}
