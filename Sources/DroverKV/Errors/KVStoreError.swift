import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure of the KV store itself or of a CLI input, as opposed to a platform ``KVError``:
/// a file that cannot be opened or written, a log that is not Drover's, a malformed bulk file.
///
/// Cases can be added without breaking callers (a struct over a private code, as Hummingbird's
/// `PersistError`).
package struct KVStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case io
        case notAStore
        case closed
        case invalidInput
    }

    private let code: Code
    /// What went wrong, naming the file, the system call or the input field.
    package let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { message }

    /// A system call failed.
    static func io(_ call: String, path: String, errno: Int32) -> KVStoreError {
        KVStoreError(.io, "\(call) \(path): \(String(cString: strerror(errno))) (errno \(errno))")
    }

    /// The namespace folder cannot be created.
    static func folder(_ path: String, _ error: any Error) -> KVStoreError {
        KVStoreError(.io, "cannot create the KV namespace folder \(path): \(error.localizedDescription)")
    }

    /// A file in the namespace folder is not a Drover KV file.
    static func notAStore(_ path: String, _ reason: String) -> KVStoreError {
        KVStoreError(.notAStore, "\(path) is not a Drover KV store: \(reason)")
    }

    /// The namespace was closed.
    static func closed(_ path: String) -> KVStoreError {
        KVStoreError(.closed, "the KV namespace at \(path) is closed")
    }

    /// Bad input to a CLI helper (bulk file, metadata flag).
    static func invalidInput(_ message: String) -> KVStoreError {
        KVStoreError(.invalidInput, message)
    }

    /// Whether a system call failed.
    package static let ioFailure = KVStoreError(.io, "")
    /// Whether a file is not a Drover KV store.
    package static let notAStoreFailure = KVStoreError(.notAStore, "")
    /// Whether the namespace was closed.
    package static let closedFailure = KVStoreError(.closed, "")
    /// Whether an input was malformed.
    package static let invalidInputFailure = KVStoreError(.invalidInput, "")

    /// Whether `self` has the same kind as `other` (one of the `...Failure` statics), ignoring the message.
    package func isKind(of other: KVStoreError) -> Bool { code == other.code }

    package static func == (lhs: KVStoreError, rhs: KVStoreError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }
}
