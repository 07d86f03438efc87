/// Why the server could not start.
package struct HTTPServerError: Error, Sendable, CustomStringConvertible {
    private enum Code: Sendable {
        case addressInUse, invalidAddress, socketFailed, alreadyStarted
    }

    private let code: Code
    /// What went wrong, naming what to change.
    package let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { message }

    /// The port is taken by another process.
    package static func addressInUse(host: String, port: Int) -> Self {
        Self(.addressInUse, "address \(host):\(port) is already in use; stop the other server or pass another --port")
    }

    /// The host does not resolve to an address to bind.
    package static func invalidAddress(_ host: String, reason: String) -> Self {
        Self(.invalidAddress, "cannot listen on '\(host)': \(reason); pass --ip with an address such as 127.0.0.1")
    }

    /// A system call failed.
    package static func socketFailed(_ call: String, errno code: Int32) -> Self {
        Self(.socketFailed, "\(call) failed: \(SocketCalls.describe(code)) (errno \(code))")
    }

    /// ``HTTPServer/start()`` was called twice.
    package static let alreadyStarted = Self(.alreadyStarted, "the HTTP server is already started")
}
