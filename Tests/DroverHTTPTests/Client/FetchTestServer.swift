import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A request as ``FetchTestServer`` read it off the socket.
struct ReceivedRequest: Sendable {
    var method: String
    var target: String
    /// The header lines in order, names as sent.
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    /// Every value of the fields named `name` (case-insensitive).
    func values(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// The body as UTF-8 text.
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// What ``FetchTestServer`` does with a request it has read.
enum ScriptedAnswer: Sendable {
    /// Answers with this status, these header lines (in order, as written) and this body, then closes.
    case respond(status: Int, headers: [(String, String)], body: [UInt8])
    /// Never answers; keeps the connection open until the client closes it or the server stops.
    case hang
    /// Closes the connection without a byte of answer.
    case close

    /// A text answer.
    static func text(_ text: String, status: Int = 200, headers: [(String, String)] = []) -> ScriptedAnswer {
        .respond(status: status, headers: headers, body: Array(text.utf8))
    }
}

/// A tiny HTTP/1.1 server for the outbound fetch tests, on raw POSIX sockets bound to 127.0.0.1,
/// port 0. Each connection gets a thread that reads one request (`Content-Length` bodies only),
/// records it, and does what the script says; every answer ends with `Connection: close`.
///
/// Deliberately independent of DroverHTTP's own server, so the client is tested against bytes
/// written by hand.
final class FetchTestServer: Sendable {
    /// The port the server listens on.
    let port: UInt16
    private let listener: Int32
    private let script: @Sendable (ReceivedRequest) -> ScriptedAnswer
    private let received = Mutex<[ReceivedRequest]>([])
    /// The descriptors not closed yet. Every close and every `shutdown` from another thread happens
    /// under this lock: a number closed elsewhere may already be another test's socket.
    private let sockets = Mutex(Sockets())

    private struct Sockets {
        var connections: Set<Int32> = []
        var listenerOpen = true
        var stopped = false
    }

    /// Starts listening; `script` answers each request.
    init(_ script: @escaping @Sendable (ReceivedRequest) -> ScriptedAnswer) throws {
        let (fd, port) = try Self.bindLoopback()
        guard listen(fd, 64) == 0 else {
            close(fd)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        self.listener = fd
        self.port = port
        self.script = script
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// `http://127.0.0.1:PORT`.
    var origin: String { "http://127.0.0.1:\(port)" }

    /// The requests read so far, in order.
    var requests: [ReceivedRequest] { received.withLock { $0 } }

    /// Stops accepting and ends every open connection.
    func stop() {
        sockets.withLock { sockets in
            guard !sockets.stopped else { return }
            sockets.stopped = true
            if sockets.listenerOpen { shutdown(listener, Int32(SHUT_RDWR)) }
            for fd in sockets.connections { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    /// A socket bound to 127.0.0.1 on a free port, not listening, and that port.
    static func bindLoopback() throws -> (Int32, UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else {
            close(fd)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        return (fd, UInt16(bigEndian: address.sin_port))
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            let code = connection < 0 ? errno : 0
            let keep = sockets.withLock { sockets -> Bool in
                if connection >= 0 {
                    guard !sockets.stopped else {
                        close(connection)
                        return false
                    }
                    sockets.connections.insert(connection)
                    return true
                }
                return code == EINTR && !sockets.stopped
            }
            guard keep else { break }
            if connection < 0 { continue }
            let thread = Thread { [self] in serve(connection) }
            thread.start()
        }
        sockets.withLock { sockets in
            sockets.listenerOpen = false
            close(listener)
        }
    }

    private func serve(_ connection: Int32) {
        defer {
            sockets.withLock { sockets in
                sockets.connections.remove(connection)
                close(connection)
            }
        }
        guard let request = readRequest(connection) else { return }
        received.withLock { $0.append(request) }
        switch script(request) {
        case .respond(let status, let headers, let body):
            var head = "HTTP/1.1 \(status) Scripted\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            if !headers.contains(where: { ["content-length", "transfer-encoding"].contains($0.0.lowercased()) }) {
                head += "Content-Length: \(body.count)\r\n"
            }
            head += "Connection: close\r\n\r\n"
            writeAll(connection, Array(head.utf8) + body)
            // Half-close, then drain, so the client reads everything before the connection ends.
            shutdown(connection, Int32(SHUT_WR))
            drain(connection)
        case .hang:
            drain(connection)
        case .close:
            break
        }
    }

    private func readRequest(_ connection: Int32) -> ReceivedRequest? {
        var buffer: [UInt8] = []
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            guard let chunk = readSome(connection) else { return nil }
            let searchFrom = max(0, buffer.count - 3)
            buffer += chunk
            if buffer.count >= 4 {
                for index in searchFrom...(buffer.count - 4) where Array(buffer[index..<index + 4]) == separator {
                    headEnd = index
                    break
                }
            }
        }
        guard let headEnd else { return nil }
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3 else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.append((String(line[..<colon]), value))
        }
        let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
        var body = Array(buffer[(headEnd + 4)...])
        while body.count < length {
            guard let chunk = readSome(connection) else { return nil }
            body += chunk
        }
        return ReceivedRequest(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body)
    }

    private func readSome(_ connection: Int32) -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            return Array(chunk[..<count])
        }
    }

    private func drain(_ connection: Int32) {
        while readSome(connection) != nil {}
    }

    private func writeAll(_ connection: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }
}

/// Closes a socket made by ``FetchTestServer/bindLoopback()``.
@discardableResult
func closeSocket(_ fd: Int32) -> Int32 {
    close(fd)
}
