import Drover
import DroverTestSupport
import Foundation
import Testing

@testable import DroverIntegrationKit

/// Signatures made by the `openssl` command line, an implementation independent of the kit's, and
/// the other values the webhook tests share.
enum WebhookTestSupport {
    /// `openssl` is missing or failed.
    struct OpenSSLFailure: Error, CustomStringConvertible {
        var description: String
    }

    static let openssl = "/usr/bin/openssl"

    /// HMAC-SHA256 of `data` under the text key `key`, by `openssl dgst -sha256 -hmac KEY`.
    static func opensslHMAC(key: String, data: [UInt8]) throws -> [UInt8] {
        try runOpenSSL(["dgst", "-sha256", "-hmac", key, "-binary"], input: data)
    }

    /// HMAC-SHA256 of `data` under the binary key `key`, by `openssl dgst -sha256 -mac HMAC -macopt hexkey:...`.
    static func opensslHMAC(key: [UInt8], data: [UInt8]) throws -> [UInt8] {
        try runOpenSSL(["dgst", "-sha256", "-mac", "HMAC", "-macopt", "hexkey:" + Hex.encode(key), "-binary"], input: data)
    }

    private static func runOpenSSL(_ arguments: [String], input: [UInt8]) throws -> [UInt8] {
        guard FileManager.default.isExecutableFile(atPath: openssl) else {
            throw OpenSSLFailure(
                description: "\(openssl) is not installed: these tests sign with it; install it with scripts/bootstrap (Debian package openssl)"
            )
        }
        let result = try ChildProcess.run(openssl, arguments, input: input)
        guard result.termination == .exited(0), result.output.count == 32 else {
            throw OpenSSLFailure(description: "openssl \(arguments.first ?? "") \(result.termination): \(result.errorText)")
        }
        return result.output
    }

    /// A frozen clock reading `seconds` after the Unix epoch.
    static func clock(at seconds: Int64) -> ManualWallClock {
        ManualWallClock(Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// Bytes that are not UTF-8: a lone continuation byte, an overlong form, a surrogate, 0xFF.
    static let notUTF8: [UInt8] = [0x7B, 0x80, 0xC0, 0xAF, 0xED, 0xA0, 0x80, 0xFF, 0xFE, 0x00, 0x7D]

    /// `count` seeded random bytes, a reproducible body.
    static func randomBody(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        return generator.bytes(count)
    }

    /// Runs `body` and returns the reason of the ``WebhookSignatureError`` it throws, or nil when it
    /// returns normally. Any other error fails the test.
    static func refusal(_ body: () throws -> Void) -> WebhookSignatureError.Reason? {
        do {
            try body()
            return nil
        } catch let error as WebhookSignatureError {
            return error.reason
        } catch {
            Issue.record("not a WebhookSignatureError: \(error)")
            return nil
        }
    }
}

/// The outbound fetch of the handler tests: there is none.
struct NoFetcher: Fetcher {
    func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
        throw FetchError(kind: .other, message: "no outbound fetch in the webhook tests")
    }
}

/// One row of a refusal table: a body and headers, and the reason they must be refused with.
struct WebhookRefusalCase: Sendable, CustomTestStringConvertible {
    let name: String
    let body: [UInt8]
    let headers: Headers
    let expected: WebhookSignatureError.Reason

    init(_ name: String, _ body: [UInt8], _ headers: Headers, _ expected: WebhookSignatureError.Reason) {
        self.name = name
        self.body = body
        self.headers = headers
        self.expected = expected
    }

    var testDescription: String { "\(name) → \(expected)" }
}
