import Foundation
import Glibc

/// A blocking socket client for malformed input and exact byte checks. Every call has a receive
/// timeout (so a broken server fails the test instead of hanging it); run it off the cooperative
/// pool with ``onThread(_:)``.
final class RawHTTPClient {
    struct Response {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? { headers.first { $0.0 == name.lowercased() }?.1 }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let fd: Int32
    private var buffer: [UInt8] = []

    convenience init(port: Int, receiveTimeout: Int = 60) throws {
        try self.init(socket: Self.makeSocket(receiveTimeout: receiveTimeout), port: port)
    }

    /// Connects a socket made by ``makeSocket(receiveTimeout:)``; the client owns it from here on
    /// (on a failure it is closed).
    init(socket: Int32, port: Int) throws {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(socket)
            throw Failure(description: "connect: errno \(code)")
        }
        // Only now: a throw after every stored property is set runs `deinit`, which would close the
        // number a second time, when it may already be another test's socket.
        fd = socket
    }

    /// A TCP socket with a receive timeout, not yet connected.
    static func makeSocket(receiveTimeout: Int = 60) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var timeout = timeval(tv_sec: receiveTimeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    deinit {
        Glibc.close(fd)
    }

    /// The local port of this connection.
    var localPort: Int { socketPort(fd, getsockname) ?? 0 }

    /// Sends FIN (both directions shut) while keeping the descriptor until deinit.
    func shutdown() {
        _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
    }

    /// Sends FIN but keeps reading: a half-closed client (RFC 9112 §9.6).
    func shutdownWrite() {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    /// Whether the server has closed the connection, looking without waiting: end of stream or
    /// a reset, with nothing unread before it.
    func peekClosed() -> Bool {
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        if count == 0 { return true }
        return count < 0 && errno != EAGAIN && errno != EWOULDBLOCK
    }

    /// Reads up to `count` bytes of whatever arrives (at least one), for clients that read slowly.
    func readSome(_ count: Int) throws -> [UInt8] {
        if !buffer.isEmpty {
            let taken = Array(buffer.prefix(count))
            buffer.removeFirst(taken.count)
            return taken
        }
        var chunk = [UInt8](repeating: 0, count: count)
        let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, count, 0) }
        guard received >= 0 else { throw Failure(description: "recv: errno \(errno)") }
        return Array(chunk.prefix(received))
    }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure(description: "send: errno \(errno)") }
            offset += sent
        }
    }

    /// Reads more bytes; false at end of stream.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            buffer.append(contentsOf: chunk[0..<count])
            return true
        }
        if count == 0 { return false }
        let code = errno
        if code == ECONNRESET { return false }
        throw Failure(description: "recv: errno \(code)\(code == EAGAIN ? " (timed out)" : "")")
    }

    private func line() throws -> String {
        while true {
            if let end = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<end], as: UTF8.self).trimmingCharacters(in: .newlines)
                buffer.removeFirst(end + 1)
                return line
            }
            guard try fill() else { throw Failure(description: "connection closed before a full line") }
        }
    }

    private func take(_ count: Int) throws -> [UInt8] {
        while buffer.count < count {
            guard try fill() else { throw Failure(description: "connection closed inside a body") }
        }
        defer { buffer.removeFirst(count) }
        return Array(buffer[0..<count])
    }

    /// Reads one response; `head` means a response to HEAD (no body whatever the headers say).
    func readResponse(head: Bool = false) throws -> Response {
        let statusLine = try line()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0] == "HTTP/1.1", let status = Int(parts[1]) else {
            throw Failure(description: "bad status line '\(statusLine)'")
        }
        var headers: [(String, String)] = []
        while true {
            let field = try line()
            if field.isEmpty { break }
            guard let colon = field.firstIndex(of: ":") else { throw Failure(description: "bad field '\(field)'") }
            headers.append((field[..<colon].lowercased(), field[field.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var response = Response(status: status, headers: headers, body: [])
        if head || status == 204 || status == 304 || status < 200 { return response }
        if let length = response.header("content-length").flatMap(Int.init) {
            response.body = try take(length)
        } else if response.header("transfer-encoding") == "chunked" {
            while true {
                let size = try line()
                guard let count = Int(size, radix: 16) else { throw Failure(description: "bad chunk size '\(size)'") }
                if count == 0 {
                    _ = try line()
                    break
                }
                response.body += try take(count)
                _ = try take(2)
            }
        } else {
            while try fill() {}
            response.body = buffer
            buffer = []
        }
        return response
    }

    /// Whether the server closed the connection (reads end of stream, with nothing more sent).
    func isClosedByServer() throws -> Bool {
        if !buffer.isEmpty { return false }
        return try !fill()
    }
}

/// The IPv4 port of `fd`'s own address (`call` = `getsockname`) or its peer's (`getpeername`); `nil`
/// when `fd` is not an IPv4 socket.
func socketPort(
    _ fd: Int32,
    _ call: (Int32, UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int32
) -> Int? {
    var address = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let result = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { call(fd, $0, &length) }
    }
    guard result == 0, address.sin_family == sa_family_t(AF_INET) else { return nil }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Runs blocking work on its own thread and awaits it, keeping the cooperative pool free.
func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do {
                continuation.resume(returning: try work())
            } catch {
                continuation.resume(throwing: error)
            }
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
}
